using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace DvcSync.Application.Configuration;

/// <summary>
/// The configuration key of a property of a settings class: the class's <c>SectionName</c> constant, then the
/// property's <see cref="ConfigurationKeyNameAttribute"/> or its name. Every message about a setting names it so, and
/// <see cref="SettingsBinding{TOptions}"/> reads it so.
/// </summary>
public static class SettingKey
{
    public static string Of(PropertyInfo property)
    {
        var type = property.DeclaringType!;
        var section = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
            ?? throw new InvalidOperationException($"{type.Name} declares no public const string SectionName");
        var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
        return section.Length == 0 ? name : section + ":" + name;
    }

    public static string Of(Type options, string propertyName) =>
        Of(options.GetProperty(propertyName) ?? throw new ArgumentException($"{options.Name} has no property {propertyName}", nameof(propertyName)));

    /// <summary>The properties a settings class binds: public, read and written.</summary>
    public static IEnumerable<PropertyInfo> BoundProperties(Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);
}

/// <summary>
/// A number setting's range. Unlike <see cref="RangeAttribute"/>, whose message names the C# member, the message names
/// the configuration key and the value found, so an operator knows what to fix.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute(double minimum, double maximum) : ValidationAttribute
{
    public double Minimum { get; } = minimum;
    public double Maximum { get; } = maximum;

    /// <summary>What is wrong with <paramref name="text"/> as the value of <paramref name="key"/> of type <paramref name="type"/>.</summary>
    public string Describe(string key, string text, Type type) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{key} '{text}' must be a {(IsWhole(type) ? "whole number" : "number")} from {Minimum} to {Maximum}");

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null) return ValidationResult.Success; // not set, where null means so
        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (number >= Minimum && number <= Maximum) return ValidationResult.Success;
        var property = validationContext.ObjectType.GetProperty(validationContext.MemberName!)!;
        // No member names: the options' failure then reads as this message alone, starting with the key.
        return new ValidationResult(Describe(SettingKey.Of(property), Convert.ToString(value, CultureInfo.InvariantCulture)!, property.PropertyType));
    }

    private static bool IsWhole(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(int) || t == typeof(long));
}

/// <summary>A setting that must be given (not empty, not blank), with why it is needed where the name does not say.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredSettingAttribute(string? what = null) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is string text && !string.IsNullOrWhiteSpace(text)) return ValidationResult.Success;
        var key = SettingKey.Of(validationContext.ObjectType, validationContext.MemberName!);
        return new ValidationResult(what is null ? $"{key} is required" : $"{key} is required ({what})");
    }
}
