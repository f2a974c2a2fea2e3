using System.Diagnostics.CodeAnalysis;

namespace GreyOS.Abstractions.Errors;

/// <summary>Either a value or a <see cref="GreyError"/>; expected failures travel as values.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, GreyError? error)
    {
        _value = value;
        Error = error;
    }

    public GreyError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when the result is an error.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"Result is an error: {Error.Code}");

#pragma warning disable CA2225, CA1000 // implicit conversions are how results are made: `return value;` or `return error;`
    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(GreyError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>A successful result; for values of interface types, which implicit conversions do not cover.</summary>
    public static Result<T> Success(T value) => new(value, null);
#pragma warning restore CA2225, CA1000
}
