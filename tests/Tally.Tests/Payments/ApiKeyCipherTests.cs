using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tally.Stripe;
using Tally.Stripe.Apps;

namespace Tally.Tests.Payments;

/// <summary>Tenants' Stripe keys sealed with AES-256-GCM, bound to tenant and app, under a configured or generated key.</summary>
public sealed class ApiKeyCipherTests : IDisposable
{
    private const string Key = "sk_test_51HxYzAbCdEfGh";
    private readonly string directory = Directory.CreateTempSubdirectory("tally-cipher-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Seal_ThenOpenForSameTenantAndApp_ReturnsTheKeyAndNeverContainsIt()
    {
        var cipher = Cipher(Convert.ToBase64String(new byte[32]));

        var sealedKey = cipher.Seal(Key, "tnt_a", "app_1");

        Assert.Equal(Key, cipher.Open(sealedKey, "tnt_a", "app_1"));
        Assert.StartsWith($"v1.{cipher.KeyId}.", sealedKey, StringComparison.Ordinal);
        Assert.DoesNotContain("51HxYz", sealedKey, StringComparison.Ordinal);
        Assert.NotEqual(sealedKey, cipher.Seal(Key, "tnt_a", "app_1"));
    }

    [Fact]
    public void Open_AsAnotherTenant_FailsNamingTheCause()
    {
        var cipher = Cipher(Convert.ToBase64String(new byte[32]));
        var sealedKey = cipher.Seal(Key, "tnt_a", "app_1");

        var error = Assert.Throws<CryptographicException>(() => cipher.Open(sealedKey, "tnt_b", "app_1"));

        Assert.Equal("The Stripe key of app app_1 does not open for tenant tnt_b: it was altered or belongs to another tenant's app.", error.Message);
    }

    [Fact]
    public void Open_SealedWithAnotherEncryptionKey_NamesBothKeyIds()
    {
        var first = Cipher(Convert.ToBase64String(new byte[32]));
        var second = Cipher(Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()));

        var error = Assert.Throws<CryptographicException>(() => second.Open(first.Seal(Key, "tnt_a", "app_1"), "tnt_a", "app_1"));

        Assert.Equal(
            $"The Stripe key of app app_1 was sealed with encryption key {first.KeyId}, but Stripe:EncryptionKey is {second.KeyId}; configure the key it was sealed with.",
            error.Message);
    }

    [Fact]
    public void Constructor_NoConfiguredKey_GeneratesOneOwnerOnlyFileAndReusesIt()
    {
        var first = Cipher(null);
        var second = Cipher(null);

        var path = Path.Combine(directory, "stripe-encryption-key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path)).Length);
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(Key, second.Open(first.Seal(Key, "tnt_a", "app_1"), "tnt_a", "app_1"));
    }

    private ApiKeyCipher Cipher(string? encryptionKey) =>
        new(Options.Create(new StripeOptions { EncryptionKey = encryptionKey }), new StripeDataDirectory(directory));
}
