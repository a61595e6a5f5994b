using System.Text.RegularExpressions;

namespace DvcSync.Infra.Tests;

/// <summary>
/// NationalPortal:MaxRequestsPerSecond is enforced per process. At most maximumInstanceCount Repair instances, one
/// Reconcile run and one Audit run (each timer in a process of its own on Flex Consumption) call the portal at once,
/// so the template sets the per-process ceiling to floor(portal limit / (maximumInstanceCount + 2)), and refuses a cap
/// that leaves less than 1 request a second.
/// </summary>
public sealed partial class RateCeilingTests
{
    /// <summary>The functions the formula counts as calling the portal: Repair on up to maximumInstanceCount instances,
    /// the two timers (singletons) on one each.</summary>
    private static readonly string[] PortalCallers = ["Repair", "Reconcile", "Audit"];

    /// <summary>Non-HTTP functions that never call the portal.</summary>
    private static readonly string[] NeverCallThePortal = ["PoisonDrain"];

    public static TheoryData<int, int, int> Caps() => new()
    {
        { 20, 1, 6 },
        { 20, 2, 5 },
        { 20, 3, 4 },
        { 20, 8, 2 },
        { 7, 2, 1 },
        { 20, 18, 1 },
        { 100, 8, 10 },
    };

    [Theory]
    [MemberData(nameof(Caps))]
    public void Every_process_gets_its_share_of_the_portals_limit(int portalLimit, int maximumInstanceCount, int expectedPerProcess)
    {
        var deployment = Deployments.Evaluate(Deployments.RequiredParameters + $"""

            param portalRequestsPerSecondLimit = {portalLimit}
            param maximumInstanceCount = {maximumInstanceCount}
            """);

        var perProcess = int.Parse(deployment.AppSettings["NationalPortal__MaxRequestsPerSecond"]);
        var instances = (int)deployment.FunctionApp["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["maximumInstanceCount"]!;
        Assert.Equal(maximumInstanceCount, instances);
        Assert.Equal(expectedPerProcess, perProcess);
        // Repair on every instance the cap allows, plus the Reconcile and the Audit timers: the whole deployment stays
        // under the portal's limit, and no more of the limit is left unused than rounding needs.
        var processes = instances + 2;
        Assert.True(processes * perProcess <= portalLimit);
        Assert.True(processes * (perProcess + 1) > portalLimit);
    }

    [Theory]
    [InlineData(20, 19)]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    [InlineData(20, 1000)]
    public void A_cap_that_leaves_less_than_one_request_a_second_is_refused(int portalLimit, int maximumInstanceCount)
    {
        var (run, snapshot) = Bicep.Snapshot(Deployments.RequiredParameters + $"""

            param portalRequestsPerSecondLimit = {portalLimit}
            param maximumInstanceCount = {maximumInstanceCount}
            """, Bicep.EnvironmentForParameterFiles);

        Assert.Null(snapshot);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("nationalPortalMaxRequestsPerSecond", run.Output);
    }

    [Fact]
    public void The_default_deployment_sends_at_most_20_requests_a_second()
    {
        var template = Bicep.Build("infra/main.bicep");
        Assert.Equal(20, (int)template["parameters"]!["portalRequestsPerSecondLimit"]!["defaultValue"]!);
        Assert.Equal(1, (int)template["parameters"]!["maximumInstanceCount"]!["defaultValue"]!);
        Assert.Equal(1, (int)template["parameters"]!["maximumInstanceCount"]!["minValue"]!);
    }

    /// <summary>
    /// A new timer or queue function scales in processes of its own: it must be counted in the formula (or listed as
    /// never calling the portal) before the deployment can be trusted to stay under the portal's limit.
    /// </summary>
    [Fact]
    public void Every_function_that_scales_on_its_own_is_accounted_for_in_the_formula()
    {
        var functions = Path.Combine(Repository.Root, "src", "DvcSync.Functions", "Functions");
        var nonHttp = Directory.EnumerateFiles(functions, "*.cs")
            .SelectMany(f => FunctionAndTrigger().Matches(File.ReadAllText(f)))
            .Where(m => m.Groups["trigger"].Value != "HttpTrigger")
            .Select(m => m.Groups["name"].Value)
            .Order().ToList();
        Assert.Contains("Repair", nonHttp); // the pattern read the functions
        Assert.Equal(PortalCallers.Concat(NeverCallThePortal).Order(), nonHttp);

        var formula = File.ReadAllText(Path.Combine(Repository.Infra, "rate-ceiling.bicep"));
        Assert.Contains("maximumInstanceCount + 2", formula); // the Repair instances + Reconcile + Audit
        foreach (var caller in PortalCallers.Concat(NeverCallThePortal))
            Assert.Contains($"// - {caller} (", formula);
    }

    // [Function("Name")] followed by the first trigger attribute of its parameters.
    [GeneratedRegex("""\[Function\("(?<name>[A-Za-z0-9_]+)"\)\][^\[]*\[(?<trigger>[A-Za-z]+Trigger)\(""", RegexOptions.Singleline)]
    private static partial Regex FunctionAndTrigger();
}
