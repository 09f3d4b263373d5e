using System.Security.Cryptography;
using System.Text;

namespace QlikBackup.Core.Capture.Webhooks;

/// <summary>
/// Qlik's webhook signature: header <c>Qlik-Signature</c> = hex HMAC-SHA256 of the raw body keyed with the webhook's secret
/// (reference §14). Compared in constant time; hex case does not matter.
/// </summary>
public static class QlikWebhookSignature
{
    public const string HeaderName = "Qlik-Signature";

    public static string Compute(ReadOnlySpan<byte> body, string secret)
        => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static bool Verify(ReadOnlySpan<byte> body, string? header, string? secret)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrWhiteSpace(header)) return false;
        string hex = header.Trim();
        if (hex.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase)) hex = hex["sha256=".Length..];
        if (hex.Length != 64) return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return false;
        }

        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
