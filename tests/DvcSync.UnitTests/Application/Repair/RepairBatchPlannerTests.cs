using DvcSync.Application.Repair;
using DvcSync.Core.Ports;

namespace DvcSync.UnitTests.Application.Repair;

public class RepairBatchPlannerTests
{
    private static RepairBatchPlanner Planner(int batchSize, params (string, bool)[] dossiers) => new(dossiers, batchSize);

    private static PortalWriteResult Refused(PortalOutcomeKind kind, params (string MaHoSo, PortalOutcomeKind Kind)[] errors) =>
        new(kind, "refused", errors.Select(e => new PortalItemError(e.MaHoSo, e.Kind, $"{e.MaHoSo} refused")).ToList());

    [Fact]
    public void Dossiers_are_grouped_by_mode_in_calls_of_the_batch_size()
    {
        var planner = Planner(2, ("A", false), ("B", true), ("C", false), ("D", false));
        var calls = new List<BatchCall>();
        while (planner.Next() is { } call)
        {
            calls.Add(call);
            planner.Record(call, PortalWriteResult.Success);
        }
        Assert.Equal([(false, "A,C"), (true, "B"), (false, "D")], calls.Select(c => (c.IsUpdating, string.Join(',', c.MaHoSo))));
        Assert.All(planner.Outcomes.Values, o => Assert.Equal(PortalOutcomeKind.Accepted, o.Result.Kind));
        Assert.True(planner.Outcomes["B"].WasUpdate);
    }

    [Fact]
    public void Every_kind_of_offender_is_sorted_out_and_the_rest_go_again()
    {
        var planner = Planner(50, ("exists", false), ("invalid", false), ("final", false), ("fine", false), ("gone", true));
        var first = planner.Next()!;
        Assert.Equal(["exists", "invalid", "final", "fine"], first.MaHoSo);
        planner.Record(first, Refused(PortalOutcomeKind.AlreadyExists,
            ("exists", PortalOutcomeKind.AlreadyExists), ("invalid", PortalOutcomeKind.InvalidData), ("final", PortalOutcomeKind.FinalStateConflict)));

        Assert.Equal(PortalOutcomeKind.InvalidData, planner.Outcomes["invalid"].Result.Kind);
        Assert.Equal("invalid refused", planner.Outcomes["invalid"].Result.Message); // its own words, not the others'
        Assert.Equal(PortalOutcomeKind.FinalStateConflict, planner.Outcomes["final"].Result.Kind);

        var resend = planner.Next()!;
        Assert.Equal((false, "fine"), (resend.IsUpdating, string.Join(",", resend.MaHoSo)));
        planner.Record(resend, PortalWriteResult.Success);

        var updates = planner.Next()!;
        Assert.True(updates.IsUpdating);
        Assert.Equal(["gone", "exists"], updates.MaHoSo); // the mover joins the update call
        planner.Record(updates, Refused(PortalOutcomeKind.NotFound, ("gone", PortalOutcomeKind.NotFound)));
        Assert.True(planner.Outcomes.ContainsKey("exists") is false);

        var again = planner.Next()!;
        Assert.Equal((true, "exists"), (again.IsUpdating, string.Join(",", again.MaHoSo)));
        planner.Record(again, PortalWriteResult.Success);
        var inserted = planner.Next()!;
        Assert.Equal((false, "gone"), (inserted.IsUpdating, string.Join(",", inserted.MaHoSo)));
        planner.Record(inserted, PortalWriteResult.Success);

        Assert.Null(planner.Next());
        Assert.True(planner.Outcomes["exists"].WasUpdate);
        Assert.False(planner.Outcomes["gone"].WasUpdate);
        Assert.Equal(PortalOutcomeKind.Accepted, planner.Outcomes["fine"].Result.Kind);
    }

    [Theory]
    [InlineData(PortalOutcomeKind.Transient)]
    [InlineData(PortalOutcomeKind.CircuitOpen)]
    [InlineData(PortalOutcomeKind.ConfigurationError)]
    public void A_failure_of_the_whole_call_is_every_dossiers(PortalOutcomeKind kind)
    {
        var planner = Planner(50, ("A", false), ("B", false));
        var call = planner.Next()!;
        planner.Record(call, new PortalWriteResult(kind, "down", [], TimeSpan.FromSeconds(7)));
        Assert.Null(planner.Next());
        Assert.All(planner.Outcomes.Values, o => Assert.Equal((kind, (TimeSpan?)TimeSpan.FromSeconds(7)), (o.Result.Kind, o.Result.RetryAfter)));
    }

    [Fact]
    public void A_refusal_that_names_nobody_sends_each_dossier_alone()
    {
        var planner = Planner(50, ("A", false), ("B", false));
        planner.Record(planner.Next()!, Refused(PortalOutcomeKind.InvalidData));
        var alone = planner.Next()!;
        Assert.Equal(["A"], alone.MaHoSo);
        planner.Record(alone, Refused(PortalOutcomeKind.InvalidData));
        Assert.Equal(PortalOutcomeKind.InvalidData, planner.Outcomes["A"].Result.Kind);
        var second = planner.Next()!;
        Assert.Equal(["B"], second.MaHoSo);
        planner.Record(second, PortalWriteResult.Success);
        Assert.Equal(PortalOutcomeKind.Accepted, planner.Outcomes["B"].Result.Kind);
    }

    [Fact]
    public void A_portal_that_contradicts_itself_gets_two_switches_then_a_transient_outcome()
    {
        var planner = Planner(50, ("A", false));
        var modes = new List<bool>();
        while (planner.Next() is { } call)
        {
            modes.Add(call.IsUpdating);
            planner.Record(call, call.IsUpdating ? Refused(PortalOutcomeKind.NotFound, ("A", PortalOutcomeKind.NotFound))
                : Refused(PortalOutcomeKind.AlreadyExists, ("A", PortalOutcomeKind.AlreadyExists)));
        }
        Assert.Equal([false, true, false], modes);
        Assert.Equal(PortalOutcomeKind.Transient, planner.Outcomes["A"].Result.Kind);
    }

    [Fact]
    public void An_error_for_a_dossier_outside_the_call_is_ignored_and_a_wrong_direction_answer_is_kept()
    {
        var planner = Planner(50, ("A", true));
        var call = planner.Next()!;
        // "-3" to an update is not a reason to switch: kept as the dossier's failure, as for a single dossier.
        planner.Record(call, Refused(PortalOutcomeKind.AlreadyExists, ("Z", PortalOutcomeKind.InvalidData), ("A", PortalOutcomeKind.AlreadyExists)));
        Assert.Equal(PortalOutcomeKind.AlreadyExists, planner.Outcomes["A"].Result.Kind);
        Assert.False(planner.Outcomes.ContainsKey("Z"));
    }

    [Fact]
    public void The_batch_size_is_the_portals_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Planner(0, ("A", false)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Planner(PortalServices.MaxDossiersPerBatch + 1, ("A", false)));
    }

    [Fact]
    public void A_batch_message_carries_many_requests_and_an_old_single_message_still_decodes()
    {
        RepairRequest[] requests = [new("A", "X", 3, 0, RepairReason.Missing), new("B", "X", 1, 2, RepairReason.Retry)];
        Assert.Equal(requests, RepairMessageCodec.DecodeBatch(RepairMessageCodec.Encode(requests)));
        var single = """{"maHoSo":"A","maDonVi":"X","phienBan":3,"attempt":0,"reason":"missing"}""";
        Assert.Equal([requests[0]], RepairMessageCodec.DecodeBatch(single));
        Assert.Equal(single, RepairMessageCodec.Encode([requests[0]]).Replace(",\"force\":false", ""));
        Assert.Throws<FormatException>(() => RepairMessageCodec.DecodeBatch("""{"batch":[]}"""));
        Assert.Throws<FormatException>(() => RepairMessageCodec.DecodeBatch("""{"batch":[{"maHoSo":""}]}"""));
    }
}
