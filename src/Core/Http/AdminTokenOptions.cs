namespace Tally.Core.Http;

/// <summary>
/// Configuration section <c>Admin</c>. The token comes from <c>Admin:Token</c> or the
/// <c>TALLY_ADMIN_TOKEN</c> environment variable; without either, one is generated on first start and
/// kept in <c>{data-dir}/admin-token</c>.
/// </summary>
public sealed class AdminTokenOptions
{
    public const string SectionName = "Admin";

    public string? Token { get; set; }
}
