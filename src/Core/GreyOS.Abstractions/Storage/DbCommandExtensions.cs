using System.Data.Common;

namespace GreyOS.Abstractions.Storage;

/// <summary>Small conveniences for parameterized ADO.NET commands (never build SQL from input).</summary>
public static class DbCommandExtensions
{
    /// <summary>Creates a command with <paramref name="sql"/>, enlisted in <paramref name="transaction"/> when given.</summary>
    public static DbCommand CreateCommand(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // callers pass constant SQL; values go through parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Adds a named parameter; null becomes DBNull.</summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
