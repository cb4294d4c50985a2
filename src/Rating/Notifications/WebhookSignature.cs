using System.Security.Cryptography;
using System.Text;

namespace Tally.Rating.Notifications;

/// <summary>
/// The Standard Webhooks (and Svix) signature: base64 of HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>,
/// keyed with the base64-decoded secret (its <c>whsec_</c> prefix dropped), sent as <c>v1,{signature}</c>.
/// </summary>
public static class WebhookSignature
{
    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signature);
    }
}
