using System.ComponentModel.DataAnnotations;

namespace Tally.ServiceDefaults;

/// <summary>
/// Configuration section <c>Admin</c>. The token comes from <c>Admin:Token</c> or the
/// <c>TALLY_ADMIN_TOKEN</c> environment variable; without either, one is generated on first start and
/// kept in <c>{data-dir}/admin-token</c>.
/// </summary>
public sealed class AdminTokenOptions
{
    public const string SectionName = "Admin";

    /// <summary>The operator's bearer token; at least 8 characters without spaces.</summary>
    [MinLength(8, ErrorMessage = "Admin:Token (or TALLY_ADMIN_TOKEN) must be at least 8 characters; generate one with 'openssl rand -hex 32'.")]
    [RegularExpression(@"^\S+$", ErrorMessage = "Admin:Token (or TALLY_ADMIN_TOKEN) must not contain spaces.")]
    public string? Token { get; set; }
}
