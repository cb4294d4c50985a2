using System.Reflection;
using Tally.Tests.Support;

namespace Tally.Tests.Architecture;

/// <summary>
/// Keeps the layout true: the real projects obey <see cref="LayoutRules"/>, the compiled assemblies
/// agree with their .csproj files, and each rule is shown to catch a deliberate violation.
/// </summary>
public sealed class LayoutTests
{
    private static readonly Lazy<ProjectGraph> Real = new(() => ProjectGraph.Load(Path.Combine(Repository.Root, "src")));

    [Fact]
    public void Projects_AsCommitted_HaveTheLayoutTheArchitectureDocumentDescribes()
    {
        Assert.Equal(
            ["Tally.Aggregator", "Tally.Billing", "Tally.ClickHouse", "Tally.EventIdentities", "Tally.EventLog", "Tally.Host", "Tally.Ingest", "Tally.Invoicer", "Tally.Ledger", "Tally.Rating", "Tally.ServiceDefaults", "Tally.Stripe"],
            Real.Value.Nodes.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(LayoutRules.DomainHasNoReferences(Real.Value));
        Assert.Empty(LayoutRules.EachPackageHasOneOwner(Real.Value));
        Assert.Empty(LayoutRules.StagesStayApart(Real.Value));
    }

    [Theory]
    [InlineData("Tally.Billing")]
    [InlineData("Tally.Ingest")]
    [InlineData("Tally.Aggregator")]
    [InlineData("Tally.Rating")]
    [InlineData("Tally.Invoicer")]
    [InlineData("Tally.ServiceDefaults")]
    public void CompiledAssembly_OfDomainStageOrDefaults_LoadsNoAdapterTechnology(string assemblyName)
    {
        var references = Assembly.Load(assemblyName).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        var foreign = references.Where(name =>
            name.StartsWith("Confluent.Kafka", StringComparison.Ordinal) || name.StartsWith("ClickHouse.", StringComparison.Ordinal)
            || name.StartsWith("Npgsql", StringComparison.Ordinal) || name.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal)
            || name == "Dapper" || name == "Stripe.net" || name == "RocksDbSharp"
            || (name.StartsWith("Orleans", StringComparison.Ordinal) && assemblyName != "Tally.Rating")
            || (name.StartsWith("Tally.", StringComparison.Ordinal) && name is not ("Tally.Billing" or "Tally.ServiceDefaults")));
        Assert.Empty(foreign);
        if (assemblyName == "Tally.Billing")
        {
            Assert.All(references, name => Assert.True(name is "System.Runtime" or "System.Text.Json" or "System.Collections" or "System.Linq" or "System.Memory" or "System.Text.Encodings.Web" or "System.Runtime.InteropServices" or "System.Diagnostics.DiagnosticSource" or "System.Text.RegularExpressions" or "System.Security.Cryptography", $"{assemblyName} references {name}"));
        }
    }

    [Fact]
    public void DomainHasNoReferences_DomainGainsAPackage_ReportsIt()
    {
        var graph = With(Real.Value, LayoutRules.Domain, node => node with { Packages = ["Newtonsoft.Json"] });
        Assert.Equal(["Tally.Billing references package Newtonsoft.Json; the domain must reference nothing."], LayoutRules.DomainHasNoReferences(graph));
    }

    [Fact]
    public void DomainHasNoReferences_DomainGainsAProjectOrFramework_ReportsBoth()
    {
        var graph = With(Real.Value, LayoutRules.Domain, node => node with { Projects = ["Tally.Ledger"], Frameworks = ["Microsoft.AspNetCore.App"] });
        Assert.Equal(2, LayoutRules.DomainHasNoReferences(graph).Count);
    }

    [Fact]
    public void EachPackageHasOneOwner_StageReferencesAnAdapter_ReportsTheLeakedPackage()
    {
        var graph = With(Real.Value, "Tally.Ingest", node => node with { Projects = [.. node.Projects, "Tally.EventLog"] });
        Assert.Equal(
            ["Tally.Ingest gets Confluent.Kafka (directly or through a project reference); only Tally.EventLog may reference it."],
            LayoutRules.EachPackageHasOneOwner(graph));
    }

    [Fact]
    public void EachPackageHasOneOwner_SecondProjectReferencesNpgsql_ReportsIt()
    {
        var graph = With(Real.Value, "Tally.Invoicer", node => node with { Packages = ["Npgsql"] });
        Assert.Equal(
            ["Tally.Invoicer gets Npgsql (directly or through a project reference); only Tally.Ledger may reference it."],
            LayoutRules.EachPackageHasOneOwner(graph));
    }

    [Fact]
    public void EachPackageHasOneOwner_OrleansOutsideRating_ReportsIt()
    {
        var graph = With(Real.Value, "Tally.Aggregator", node => node with { Packages = ["Microsoft.Orleans.Sdk"] });
        Assert.Single(LayoutRules.EachPackageHasOneOwner(graph));
    }

    [Fact]
    public void StagesStayApart_InvoicerReferencesRating_ReportsIt()
    {
        var graph = With(Real.Value, "Tally.Invoicer", node => node with { Projects = [.. node.Projects, "Tally.Rating"] });
        var violations = LayoutRules.StagesStayApart(graph);
        Assert.Contains("Tally.Invoicer references Tally.Rating; stages talk through ports in Tally.Billing, composed by Tally.Host.", violations);
    }

    [Fact]
    public void StagesStayApart_InternalsShownToAnotherStage_ReportsIt()
    {
        var graph = With(Real.Value, "Tally.Rating", node => node with { InternalsVisibleTo = [.. node.InternalsVisibleTo, "Tally.Invoicer"] });
        Assert.Equal(["Tally.Rating shows its internals to Tally.Invoicer; only tests and benchmarks may see them."], LayoutRules.StagesStayApart(graph));
    }

    private static ProjectGraph With(ProjectGraph graph, string name, Func<ProjectNode, ProjectNode> change) =>
        new(graph.Nodes.ToDictionary(pair => pair.Key, pair => pair.Key == name ? change(pair.Value) : pair.Value, StringComparer.Ordinal));
}
