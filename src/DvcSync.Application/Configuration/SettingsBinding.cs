using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DvcSync.Application.Configuration;

/// <summary>
/// Binds a settings class property by property, each with the configuration binder, and reports a value that does not
/// convert (<c>Sync:PageSize=many</c>) as a validation failure naming its key. The binder alone throws at the first such
/// value, before any validator runs, so the operator would learn of one bad key per attempt; here every bad key of
/// every section comes out of the one start-up validation. An empty value is not set, as an empty environment variable
/// means. A <c>string[]</c> is a list section (<c>Api:Keys:0</c>…) or one value separated by commas or semicolons.
/// </summary>
public sealed class SettingsBinding<TOptions>(IConfiguration configuration) : IConfigureOptions<TOptions>, IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly PropertyInfo[] Properties = SettingKey.BoundProperties(typeof(TOptions)).ToArray();

    public void Configure(TOptions options)
    {
        foreach (var property in Properties)
            if (TryRead(property, out var value, out _) && value is not null)
                property.SetValue(options, value);
    }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var property in Properties)
            if (!TryRead(property, out _, out var failure)) failures.Add(failure!);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <returns>False with the failure when the value is there and does not convert; true with null when it is not set.</returns>
    private bool TryRead(PropertyInfo property, out object? value, out string? failure)
    {
        value = null;
        failure = null;
        var key = SettingKey.Of(property);
        var section = configuration.GetSection(key);
        if (property.PropertyType == typeof(string[]))
        {
            var items = section.GetChildren().Select(c => c.Value)
                .Concat(section.Value?.Split([',', ';']) ?? [])
                .Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();
            value = items.Length > 0 ? items : null;
            return true;
        }

        var text = section.Value;
        if (string.IsNullOrEmpty(text)) return true;
        try
        {
            value = section.Get(property.PropertyType);
            return true;
        }
        catch (InvalidOperationException)
        {
            failure = property.GetCustomAttribute<SettingRangeAttribute>()?.Describe(key, text, property.PropertyType)
                ?? $"{key} '{text}' is not {Kind(property.PropertyType)}";
            return false;
        }
    }

    private static string Kind(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(int) || t == typeof(long) => "a whole number",
        _ => "a number",
    };
}

public static class SettingsServiceCollectionExtensions
{
    /// <summary>
    /// A settings class bound from <paramref name="configuration"/> (<see cref="SettingsBinding{TOptions}"/>), checked
    /// by its <c>[OptionsValidator]</c> <typeparamref name="TValidator"/> and at start (<c>ValidateOnStart</c>), and
    /// injectable as itself as well as through <see cref="IOptions{TOptions}"/>.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddSettings<TOptions>(configuration);
    }

    /// <summary>A settings class with nothing to check but that each value converts (a switch, say).</summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IServiceCollection services, IConfiguration configuration)
        where TOptions : class
    {
        var binding = new SettingsBinding<TOptions>(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TOptions>>(binding));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(binding));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
        return services.AddOptions<TOptions>().ValidateOnStart();
    }
}
