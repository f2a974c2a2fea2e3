using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem;

/// <summary>Binds options from a configuration section when the container has an <see cref="IConfiguration"/> (a node does; test and benchmark compositions may not: defaults then).</summary>
internal static class OptionalConfiguration
{
    public static OptionsBuilder<T> BindIfConfigured<T>(this OptionsBuilder<T> builder, string section)
        where T : class =>
        builder.Configure<IServiceProvider>((options, services) => services.GetService<IConfiguration>()?.GetSection(section).Bind(options));
}
