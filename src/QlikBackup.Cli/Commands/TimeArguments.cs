using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace QlikBackup.Cli.Commands;

/// <summary>Parsers for time arguments, so a typo is a usage error (exit 1) and not a 400 from the API.</summary>
public static partial class TimeArguments
{
    [GeneratedRegex(@"^\s*(?<n>\d+(\.\d+)?)\s*(?<unit>ms|s|m|h|d)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Relative();

    /// <summary>"500ms", "90s", "5m", "2h", "1d", a bare number of seconds, or a TimeSpan ("00:05:00").</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        Match m = Relative().Match(text);
        if (m.Success)
        {
            double n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            value = m.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
            return value > TimeSpan.Zero;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0)
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }

    /// <summary>
    /// An ISO 8601 time (UTC unless it carries an offset), "now", or a duration meaning that long ago ("30m" = 30 minutes ago).
    /// </summary>
    public static bool TryParseTime(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        if (text.Trim().Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            value = now;
            return true;
        }

        if (Relative().IsMatch(text) && TryParseDuration(text, out TimeSpan ago))
        {
            value = now - ago;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    public static TimeSpan? ParseDuration(ArgumentResult result)
    {
        string text = Single(result);
        if (TryParseDuration(text, out TimeSpan value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration. Use e.g. 500ms, 30s, 5m, 2h or 00:05:00.");
        return null;
    }

    public static DateTimeOffset? ParseTime(ArgumentResult result)
    {
        string text = Single(result);
        if (TryParseTime(text, DateTimeOffset.UtcNow, out DateTimeOffset value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a time. Use ISO 8601 (2026-11-27T10:00:00Z; UTC when no offset is given), 'now', or an age such as 30m, 2h, 1d.");
        return null;
    }

    static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
}
