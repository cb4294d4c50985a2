using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tally.ServiceDefaults;
using Tally.Stripe;

namespace Tally.Tests.Hosting;

/// <summary>Options that had no validation before: a bad value fails with a message naming the key.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("short", "Admin:Token (or TALLY_ADMIN_TOKEN) must be at least 8 characters")]
    [InlineData("has a space", "Admin:Token (or TALLY_ADMIN_TOKEN) must not contain spaces.")]
    public void AdminToken_Invalid_FailsNamingTheKey(string token, string expected)
    {
        using var provider = Provider(new() { ["Admin:Token"] = token }, (services, configuration) =>
            services.AddTallyServiceDefaults(configuration, new TallyPaths(Path.GetTempPath())));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AdminTokenOptions>>().Value);

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Stripe:ApiKey", "sk_live_anything", "Stripe:ApiKey is no longer read: a Stripe key belongs to one tenant now. Remove it and install each tenant's key with POST /api/v1/marketplace/listings/stripe/install/apikey.")]
    [InlineData("Stripe:EncryptionKey", "c2hvcnQ=", "Stripe:EncryptionKey must be 32 bytes in base64; generate one with 'openssl rand -base64 32'.")]
    [InlineData("Stripe:EncryptionKey", "not base64 at all!", "Stripe:EncryptionKey must be 32 bytes in base64; generate one with 'openssl rand -base64 32'.")]
    [InlineData("Stripe:BaseAddress", "not a url", "Stripe:BaseAddress must be an absolute http(s) URL.")]
    [InlineData("Stripe:DaysUntilDue", "400", "Stripe:DaysUntilDue must be between 0 and 365.")]
    [InlineData("Stripe:MaxNetworkRetries", "11", "Stripe:MaxNetworkRetries must be between 0 and 10.")]
    [InlineData("Stripe:RequestTimeoutSeconds", "0", "Stripe:RequestTimeoutSeconds must be between 1 and 600.")]
    public void Stripe_Invalid_FailsNamingTheKey(string key, string value, string expected)
    {
        using var provider = Provider(new() { [key] = value }, (services, configuration) => services.AddTallyStripe(configuration, Path.GetTempPath()));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StripeOptions>>().Value);

        Assert.Contains(expected, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Stripe_EncryptionKeyOf32Bytes_IsAccepted()
    {
        var key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        using var provider = Provider(new() { ["Stripe:EncryptionKey"] = key }, (services, configuration) => services.AddTallyStripe(configuration, Path.GetTempPath()));

        Assert.Equal(key, provider.GetRequiredService<IOptions<StripeOptions>>().Value.EncryptionKey);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        register(services, configuration);
        return services.BuildServiceProvider();
    }
}
