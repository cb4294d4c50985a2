namespace Tally.Tests.Architecture;

/// <summary>
/// The layout the architecture promises (docs/architecture.md): a domain with no references, one
/// project per technology that alone references its package, stages that never reach into each
/// other. Each rule returns its violations as sentences, empty when the layout holds.
/// </summary>
public static class LayoutRules
{
    public const string Domain = "Tally.Billing";
    public const string Host = "Tally.Host";

    public static readonly IReadOnlyList<string> Stages = ["Tally.Ingest", "Tally.Aggregator", "Tally.Rating", "Tally.Invoicer"];

    /// <summary>Each technology's packages and the one project (besides the host) allowed to reference them.</summary>
    public static readonly IReadOnlyList<(string PackagePrefix, string Owner)> Owners =
    [
        ("Confluent.Kafka", "Tally.EventLog"),
        ("ClickHouse.Driver", "Tally.ClickHouse"),
        ("Npgsql", "Tally.Ledger"),
        ("Microsoft.Data.Sqlite", "Tally.Ledger"),
        ("Dapper", "Tally.Ledger"),
        ("Stripe.net", "Tally.Stripe"),
        ("Microsoft.Orleans.", "Tally.Rating"),
        ("RocksDB", "Tally.EventIdentities"),
        ("Grpc.", "Tally.Ingest"),
        ("Google.Protobuf", "Tally.Ingest"),
    ];

    /// <summary>Test and benchmark assemblies may see a project's internals; nothing else may.</summary>
    private static readonly IReadOnlyList<string> InternalsReaders = ["Tally.Tests", "Tally.EndToEnd", "Tally.Benchmarks"];

    public static IReadOnlyList<string> DomainHasNoReferences(ProjectGraph graph)
    {
        var domain = graph.Nodes[Domain];
        return
        [
            .. domain.Packages.Select(p => $"{Domain} references package {p}; the domain must reference nothing."),
            .. domain.Projects.Select(p => $"{Domain} references project {p}; the domain must reference nothing."),
            .. domain.Frameworks.Select(f => $"{Domain} references framework {f}; the domain uses the base class library only."),
        ];
    }

    public static IReadOnlyList<string> EachPackageHasOneOwner(ProjectGraph graph) =>
    [
        .. from project in graph.Nodes.Keys
           where project != Host
           from package in graph.PackageClosure(project)
           from owner in Owners
           where Matches(package, owner.PackagePrefix) && owner.Owner != project
           select $"{project} gets {package} (directly or through a project reference); only {owner.Owner} may reference it.",
    ];

    public static IReadOnlyList<string> StagesStayApart(ProjectGraph graph) =>
    [
        .. from stage in Stages
           where graph.Nodes.ContainsKey(stage)
           from reference in graph.ProjectClosure(stage)
           where Stages.Contains(reference) || reference == Host
           select $"{stage} references {reference}; stages talk through ports in {Domain}, composed by {Host}.",
        .. from project in graph.Nodes.Values
           from reader in project.InternalsVisibleTo
           where !InternalsReaders.Contains(reader)
           select $"{project.Name} shows its internals to {reader}; only tests and benchmarks may see them.",
    ];

    private static bool Matches(string package, string prefix) =>
        prefix.EndsWith('.') ? package.StartsWith(prefix, StringComparison.Ordinal) : package == prefix;
}
