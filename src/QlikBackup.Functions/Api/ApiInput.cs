using System.Text.RegularExpressions;
using QlikBackup.Core.Storage;

namespace QlikBackup.Functions.Api;

/// <summary>
/// Validation at the edge: an id, a point id or a name that reaches a handler is checked here first, so nothing
/// malformed reaches a Table key, a blob path, a Qlik URL or the index. Each check throws
/// <see cref="ApiProblemException"/> naming the field, which the route table answers as a 400 problem.
/// </summary>
public static partial class ApiInput
{
    /// <summary>Qlik ids are GUIDs or 24-hex object ids; this admits those and other plain tokens, nothing with a path or control character.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")]
    private static partial Regex QlikIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,255}$")]
    private static partial Regex OperationIdPattern();

    public static string QlikId(string? value, string field) =>
        value is not null && QlikIdPattern().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal)
            ? value
            : throw Bad(field, value, "a Qlik id: 1 to 128 letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit");

    public static string? OptionalQlikId(string? value, string field) => value is null ? null : QlikId(value, field);

    public static string PointId(string? value, string field) =>
        RecoveryPointIds.TryParse(value, out _, out _, out _)
            ? value!
            : throw Bad(field, value, "a recovery point id as GET /api/recovery-points returns it");

    public static string OperationId(string? value, string field) =>
        value is not null && OperationIdPattern().IsMatch(value)
            ? value
            : throw Bad(field, value, "an operation id as a POST returned it (letters, digits, '.', '_', ':' or '-', at most 256)");

    /// <summary>Free text (a name, a search term): bounded, no control characters.</summary>
    public static string? Text(string? value, string field, int max = 256) =>
        value is null || (value.Length <= max && !value.Any(char.IsControl))
            ? value
            : throw Bad(field, value, $"text of at most {max} characters without control characters");

    public static ApiProblemException Bad(string field, string? value, string expected) =>
        new(400, $"Invalid {field}", $"'{field}' must be {expected}; got {Show(value)}.", field);

    /// <summary>A bad value shown back to the caller, bounded and with control characters made visible.</summary>
    public static string Show(string? value)
    {
        if (value is null)
        {
            return "nothing";
        }

        string shown = new(value.Take(40).Select(c => char.IsControl(c) ? '�' : c).ToArray());
        return $"'{shown}{(value.Length > 40 ? "…" : "")}'" + (value.Length > 40 ? $" ({value.Length} characters)" : "");
    }
}
