using System.Text.RegularExpressions;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>
/// The small SCIM filter subset backups use: <c>attr eq "value"</c> clauses joined by <c>and</c> / <c>or</c>
/// (no parentheses). Anything else is a 400, so a client never silently gets an unfiltered list.
/// </summary>
public static partial class ScimFilter
{
    [GeneratedRegex("""^\s*(?<attr>[A-Za-z_.]+)\s+(?<op>eq|ne|co|sw)\s+"(?<value>(?:[^"\\]|\\.)*)"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex Clause();

    public sealed record Condition(string Attribute, string Op, string Value);

    /// <summary>Parses into OR-groups of AND-ed conditions.</summary>
    public static List<List<Condition>>? Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return null;
        return Regex.Split(filter, @"\s+or\s+", RegexOptions.IgnoreCase)
            .Select(group => Regex.Split(group, @"\s+and\s+", RegexOptions.IgnoreCase).Select(ParseClause).ToList())
            .ToList();
    }

    private static Condition ParseClause(string text)
    {
        var m = Clause().Match(text);
        if (!m.Success) throw QlikApiException.BadRequest($"Unsupported filter expression '{text.Trim()}'.");
        return new Condition(m.Groups["attr"].Value, m.Groups["op"].Value.ToLowerInvariant(), Regex.Unescape(m.Groups["value"].Value));
    }

    /// <summary>Evaluates a parsed filter; <paramref name="attribute"/> reads a named attribute (null = unknown attribute → 400).</summary>
    public static bool Matches(List<List<Condition>>? filter, Func<string, string?[]?> attribute)
        => filter is null || filter.Any(group => group.All(c =>
        {
            var values = attribute(c.Attribute) ?? throw QlikApiException.BadRequest($"Cannot filter on '{c.Attribute}'.");
            return c.Op switch
            {
                "eq" => values.Any(v => string.Equals(v, c.Value, StringComparison.OrdinalIgnoreCase)),
                "ne" => values.All(v => !string.Equals(v, c.Value, StringComparison.OrdinalIgnoreCase)),
                "co" => values.Any(v => v?.Contains(c.Value, StringComparison.OrdinalIgnoreCase) == true),
                _ => values.Any(v => v?.StartsWith(c.Value, StringComparison.OrdinalIgnoreCase) == true),
            };
        }));

    /// <summary>For filters that only accept <c>attr eq "x"</c> on one attribute: the value, or null without a filter.</summary>
    public static string? EqualsValue(string? filter, string attribute)
    {
        var parsed = Parse(filter);
        if (parsed is null) return null;
        if (parsed is [[{ Op: "eq" } c]] && string.Equals(c.Attribute, attribute, StringComparison.OrdinalIgnoreCase)) return c.Value;
        throw QlikApiException.BadRequest($"Only '{attribute} eq \"...\"' filters are supported here.");
    }
}
