using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;

namespace QlikBackup.Infra.Tests;

/// <summary>A setting the app reads, as an Azure app setting name (Section__Key), and why it is read.</summary>
/// <param name="Key">Setting name; for a dictionary, the prefix its entries live under.</param>
/// <param name="Source">Where in the code it is read.</param>
/// <param name="DictionaryValueType">For dictionary-of-options properties: the type of each entry.</param>
public sealed record SettingRequirement(string Key, string Source, Type? DictionaryValueType = null);

/// <summary>
/// Derives the settings an assembly reads from its shape: options classes (public class *Options with
/// a <c>public const string Section</c>) contribute Section__Property for every bindable property,
/// recursing into nested option objects and dictionaries of them; binding expressions (%Name%) in
/// trigger attributes contribute Name.
/// </summary>
public static partial class SettingRequirements
{
    public const string Separator = "__";

    public static IEnumerable<SettingRequirement> FromAssembly(Assembly assembly) =>
        LoadableTypes(assembly)
            .SelectMany(t => FromOptionsType(t).Concat(FromBindingExpressions(t)))
            .DistinctBy(r => r.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Section__Property requirements of one options class (nothing if it is not one).</summary>
    public static IEnumerable<SettingRequirement> FromOptionsType(Type type)
    {
        if (!type.IsClass || type.IsAbstract || !type.IsVisible || !type.Name.EndsWith("Options", StringComparison.Ordinal))
            return [];
        var section = type.GetField("Section", BindingFlags.Public | BindingFlags.Static);
        if (section is not { IsLiteral: true } || section.GetRawConstantValue() is not string name || name.Length == 0)
            return [];
        var prefix = name.Replace(":", Separator);
        var dictionaryValue = DictionaryValueType(type);
        return dictionaryValue is not null
            ? [new SettingRequirement(prefix, type.FullName!, dictionaryValue)]
            : FromProperties(type, prefix, type.FullName!, [type]);
    }

    /// <summary>%Name% binding expressions in the attributes of a type's methods and their parameters.</summary>
    public static IEnumerable<SettingRequirement> FromBindingExpressions(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var method in type.GetMethods(all))
        {
            var attributes = method.GetCustomAttributesData()
                .Concat(method.GetParameters().SelectMany(p => p.GetCustomAttributesData()));
            foreach (var attribute in attributes)
            foreach (var text in StringArguments(attribute))
            foreach (var name in BindingExpressionNames(text))
                yield return new SettingRequirement(
                    name, $"{type.FullName}.{method.Name} [{attribute.AttributeType.Name}(\"{text}\")]");
        }
    }

    /// <summary>Names inside %...% (app-setting binding expressions), e.g. in host.json or a trigger attribute.</summary>
    public static IEnumerable<string> BindingExpressionNames(string text) =>
        BindingExpression().Matches(text).Select(m => m.Groups["name"].Value.Replace(":", Separator));

    /// <summary>
    /// Which requirements the given settings do not meet. A plain key is met by the key itself or by any
    /// key below it (Key__0 for a list, Key__Child for an object); a dictionary by at least one entry,
    /// each of which has every key its entry type needs.
    /// </summary>
    public static IEnumerable<string> Unmet(
        IEnumerable<SettingRequirement> requirements, IReadOnlyCollection<string> settings, IReadOnlyCollection<string> exceptions)
    {
        bool Excepted(string key) => exceptions.Any(e => Covers(e, key));

        foreach (var requirement in requirements.Where(r => !Excepted(r.Key)))
        {
            if (requirement.DictionaryValueType is null)
            {
                if (!settings.Any(s => Covers(requirement.Key, s)))
                    yield return $"{requirement.Key}  (read by {requirement.Source})";
                continue;
            }

            var entryPrefix = requirement.Key + Separator;
            var entries = settings
                .Where(s => s.StartsWith(entryPrefix, StringComparison.OrdinalIgnoreCase))
                .Select(s => s[entryPrefix.Length..].Split(Separator)[0])
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (entries.Count == 0)
            {
                yield return $"{entryPrefix}<key>...  (dictionary read by {requirement.Source})";
                continue;
            }
            if (IsSimple(requirement.DictionaryValueType)) continue;

            var entryRequirements = entries.SelectMany(entry => FromProperties(
                requirement.DictionaryValueType, entryPrefix + entry, requirement.Source, [requirement.DictionaryValueType]));
            foreach (var unmet in Unmet(entryRequirements, settings, exceptions)) yield return unmet;
        }
    }

    /// <summary>True if <paramref name="key"/> is <paramref name="prefix"/> or lies below it.</summary>
    public static bool Covers(string prefix, string key) =>
        key.Equals(prefix, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(prefix + Separator, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<SettingRequirement> FromProperties(Type type, string prefix, string source, HashSet<Type> visiting)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0);
        foreach (var property in properties)
        {
            var key = $"{prefix}{Separator}{ConfigurationKeyName(property)}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var settable = property.SetMethod is { IsPublic: true };

            if (IsSimple(propertyType))
            {
                // A get-only scalar is computed, not bound.
                if (settable) yield return new SettingRequirement(key, $"{source}.{property.Name}");
            }
            else if (DictionaryValueType(propertyType) is { } valueType)
            {
                yield return new SettingRequirement(key, $"{source}.{property.Name}", valueType);
            }
            else if (typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                yield return new SettingRequirement(key, $"{source}.{property.Name}");
            }
            else if (visiting.Add(propertyType))
            {
                // The binder fills nested objects, settable or not.
                foreach (var nested in FromProperties(propertyType, key, $"{source}.{property.Name}", visiting))
                    yield return nested;
                visiting.Remove(propertyType);
            }
        }
    }

    private static string ConfigurationKeyName(PropertyInfo property) =>
        property.GetCustomAttributesData()
            .Where(a => a.AttributeType.Name == "ConfigurationKeyNameAttribute")
            .Select(a => a.ConstructorArguments.FirstOrDefault().Value as string)
            .FirstOrDefault(n => !string.IsNullOrEmpty(n))?.Replace(":", Separator)
        ?? property.Name;

    private static Type? DictionaryValueType(Type type)
    {
        var dictionary = (type.IsInterface ? [type] : Array.Empty<Type>()).Concat(type.GetInterfaces())
            .FirstOrDefault(i => i.IsGenericType
                && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
                && i.GetGenericArguments()[0] == typeof(string));
        return dictionary?.GetGenericArguments()[1];
    }

    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly)
        || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(Uri) || type == typeof(byte[])
        || (Nullable.GetUnderlyingType(type) is { } inner && IsSimple(inner));

    private static IEnumerable<string> StringArguments(CustomAttributeData attribute) =>
        attribute.ConstructorArguments.Select(a => a.Value)
            .Concat(attribute.NamedArguments.Select(a => a.TypedValue.Value))
            .OfType<string>();

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    [GeneratedRegex(@"%(?<name>[A-Za-z_][A-Za-z0-9_:.\-]*)%")]
    private static partial Regex BindingExpression();
}
