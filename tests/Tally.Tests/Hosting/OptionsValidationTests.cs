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
    [InlineData("Stripe:ApiKey", "pk_live_publishable", "Stripe:ApiKey must be a Stripe secret or restricted key (sk_... or rk_...).")]
    [InlineData("Stripe:BaseAddress", "not a url", "Stripe:BaseAddress must be an absolute http(s) URL.")]
    [InlineData("Stripe:DaysUntilDue", "400", "Stripe:DaysUntilDue must be between 0 and 365.")]
    public void Stripe_Invalid_FailsNamingTheKey(string key, string value, string expected)
    {
        using var provider = Provider(new() { [key] = value }, (services, configuration) => services.AddTallyStripe(configuration));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StripeOptions>>().Value);

        Assert.Contains(expected, Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Stripe_TestKey_IsAccepted()
    {
        using var provider = Provider(new() { ["Stripe:ApiKey"] = "sk_test_123" }, (services, configuration) => services.AddTallyStripe(configuration));

        Assert.Equal("sk_test_123", provider.GetRequiredService<IOptions<StripeOptions>>().Value.ApiKey);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        register(services, configuration);
        return services.BuildServiceProvider();
    }
}
