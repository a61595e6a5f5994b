namespace DvcSync.Infra.Tests;

/// <summary>
/// NationalPortal:MaxRequestsPerSecond is enforced per process. At most maximumInstanceCount Repair instances and
/// one Reconcile run call the portal at once, so the template sets the per-process ceiling to
/// floor(portal limit / (maximumInstanceCount + 1)), and refuses a cap that leaves less than 1 request a second.
/// </summary>
public sealed class RateCeilingTests
{
    public static TheoryData<int, int, int> Caps() => new()
    {
        { 20, 1, 10 },
        { 20, 3, 5 },
        { 20, 4, 4 },
        { 7, 2, 2 },
        { 20, 19, 1 },
        { 100, 9, 10 },
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
        // The whole deployment stays under the portal's limit, and no more of the limit is left unused than rounding needs.
        Assert.True((instances + 1) * perProcess <= portalLimit);
        Assert.True((instances + 1) * (perProcess + 1) > portalLimit);
    }

    [Theory]
    [InlineData(20, 20)]
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
}
