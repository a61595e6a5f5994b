using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ports;

namespace DvcSync.UnitTests.Application.Reconciliation;

public class LookupWorkerSizerTests
{
    private sealed class Pace(int callsPerSecond, TimeSpan? roundTrip) : IPortalPace
    {
        public int CallsPerSecond { get; } = callsPerSecond;
        public TimeSpan? TypicalRoundTrip { get; set; } = roundTrip;
    }

    [Fact]
    public void Workers_cover_the_ceiling_times_the_whole_cycle_with_headroom()
    {
        // The acceptance run: 200 calls/s, 50 ms answers, ~38 ms of the worker's own per dossier (ledger read included).
        var sizer = new LookupWorkerSizer(new Pace(200, TimeSpan.FromMilliseconds(50)), LookupWorkerSizer.DefaultCap);
        sizer.RecordOwnTime(TimeSpan.FromMilliseconds(38));

        var cycle = 0.050 + 0.038;
        Assert.Equal((int)Math.Ceiling(200 * cycle * LookupWorkerSizer.Headroom) + LookupWorkerSizer.Spare, sizer.Target());
        Assert.True(sizer.Target() > 16, "the old fixed default reached only 0.91 of this ceiling");
    }

    [Fact]
    public void A_slower_portal_gets_more_workers_and_a_cap_bounds_them()
    {
        var pace = new Pace(20, TimeSpan.FromMilliseconds(100));
        var sizer = new LookupWorkerSizer(pace, 12);
        var before = sizer.Target();
        pace.TypicalRoundTrip = TimeSpan.FromMilliseconds(300);
        Assert.True(sizer.Target() > before);
        pace.TypicalRoundTrip = TimeSpan.FromSeconds(5);
        Assert.Equal(12, sizer.Target());
    }

    [Fact]
    public void Before_any_answer_the_assumed_cycle_sizes_the_workers()
    {
        var sizer = new LookupWorkerSizer(new Pace(200, null), LookupWorkerSizer.DefaultCap);
        Assert.Equal((int)Math.Ceiling(200 * LookupWorkerSizer.AssumedCycle.TotalSeconds * LookupWorkerSizer.Headroom) + LookupWorkerSizer.Spare, sizer.Target());
    }

    [Fact]
    public void Without_a_known_pace_the_cap_or_the_fallback_is_fixed()
    {
        Assert.Null(LookupWorkerSizer.For(null, null));
        Assert.Equal(LookupWorkerSizer.FallbackWorkers, LookupWorkerSizer.FixedWorkers(null));
        Assert.Equal(7, LookupWorkerSizer.FixedWorkers(7));
        Assert.Equal(9, LookupWorkerSizer.For(new Pace(1000, TimeSpan.FromSeconds(1)), 9)!.Target());
    }
}
