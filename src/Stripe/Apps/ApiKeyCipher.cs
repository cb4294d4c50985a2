using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Tally.Stripe.Apps;

/// <summary>
/// Seals tenants' Stripe secret keys for the ledger with AES-256-GCM. The associated data binds a
/// sealed key to its tenant and app, so a ciphertext copied into another tenant's row does not open.
/// Format: <c>v1.{key id}.{base64url(nonce | ciphertext | tag)}</c>, where the key id (the first 8 hex
/// digits of the key's SHA-256) tells an operator which encryption key a row needs.
/// </summary>
internal sealed class ApiKeyCipher
{
    private const string Version = "v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] key;

    public ApiKeyCipher(IOptions<StripeOptions> options, StripeDataDirectory directory)
    {
        key = options.Value.EncryptionKey is { Length: > 0 } configured
            ? StripeOptions.DecodeEncryptionKey(configured)!
            : EncryptionKeyFile.ReadOrCreate(Path.Combine(directory.Path, "stripe-encryption-key"));
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..8];
    }

    /// <summary>Names the encryption key without revealing it.</summary>
    public string KeyId { get; }

    public string Seal(string apiKey, string tenantId, string appId)
    {
        var plaintext = Encoding.UTF8.GetBytes(apiKey);
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), AssociatedData(tenantId, appId));
        return $"{Version}.{KeyId}.{Base64Url.EncodeToString(sealedBytes)}";
    }

    /// <summary>The key in clear; throws <see cref="CryptographicException"/> naming the cause when it cannot be opened.</summary>
    public string Open(string sealedKey, string tenantId, string appId)
    {
        var parts = sealedKey.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            throw new CryptographicException($"The Stripe key of app {appId} is not sealed in a format this version reads.");
        }

        if (parts[1] != KeyId)
        {
            throw new CryptographicException(
                $"The Stripe key of app {appId} was sealed with encryption key {parts[1]}, but Stripe:EncryptionKey is {KeyId}; configure the key it was sealed with.");
        }

        var sealedBytes = Base64Url.DecodeFromChars(parts[2]);
        var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), plaintext, AssociatedData(tenantId, appId));
        }
        catch (AuthenticationTagMismatchException exception)
        {
            throw new CryptographicException($"The Stripe key of app {appId} does not open for tenant {tenantId}: it was altered or belongs to another tenant's app.", exception);
        }

        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] AssociatedData(string tenantId, string appId) => Encoding.UTF8.GetBytes($"tally-stripe-app|{tenantId}|{appId}");
}

/// <summary>The data directory, where an unconfigured encryption key is generated.</summary>
internal sealed record StripeDataDirectory(string Path);
