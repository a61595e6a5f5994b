using DvcSync.Application.Telemetry;

namespace DvcSync.UnitTests.Application.Telemetry;

public class FreshnessWindowTests
{
    private readonly FixedClock _clock = new(HandlerFixture.Now);

    private FreshnessWindow Window() => new(_clock);

    [Fact]
    public void Nothing_confirmed_gives_a_count_of_zero_and_no_percentiles()
    {
        var figures = Window().Figures();

        Assert.Equal(new FreshnessFigures(0, null, null, null), figures);
    }

    [Fact]
    public void Percentiles_are_within_five_percent_and_the_max_is_exact()
    {
        var window = Window();
        // One to a hundred seconds, in a shuffled order: the order of confirmations must not matter.
        foreach (var seconds in Enumerable.Range(1, 100).OrderBy(n => n * 37 % 101))
            window.Confirmed(_clock.Now.AddSeconds(-seconds), _clock.Now);

        var figures = window.Figures();

        Assert.Equal(100, figures.Count);
        Assert.InRange(figures.P50Seconds!.Value, 50 * 0.95, 50 * 1.05);
        Assert.InRange(figures.P95Seconds!.Value, 95 * 0.95, 95 * 1.05);
        Assert.Equal(100, figures.MaxSeconds!.Value, 3);
    }

    [Fact]
    public void One_slow_dossier_in_twenty_is_the_p95_and_not_the_p50()
    {
        var window = Window();
        for (var k = 0; k < 95; k++) window.Confirmed(_clock.Now.AddSeconds(-10), _clock.Now);
        for (var k = 0; k < 5; k++) window.Confirmed(_clock.Now.AddSeconds(-600), _clock.Now);

        var figures = window.Figures();

        Assert.InRange(figures.P50Seconds!.Value, 9.5, 10.5);
        Assert.InRange(figures.P95Seconds!.Value, 9.5, 10.5);
        Assert.Equal(600, figures.MaxSeconds!.Value, 3);
        window.Confirmed(_clock.Now.AddSeconds(-600), _clock.Now);
        Assert.InRange(window.Figures().P95Seconds!.Value, 570, 630);
    }

    [Fact]
    public void Confirmations_older_than_an_hour_leave_the_window()
    {
        var window = Window();
        window.Confirmed(_clock.Now.AddSeconds(-900), _clock.Now);
        _clock.Now = _clock.Now.AddMinutes(30);
        window.Confirmed(_clock.Now.AddSeconds(-5), _clock.Now);
        Assert.Equal(2, window.Figures().Count);

        _clock.Now = _clock.Now.AddMinutes(31);
        var figures = window.Figures();

        Assert.Equal(1, figures.Count);
        Assert.Equal(5, figures.MaxSeconds!.Value, 3);
        _clock.Now = _clock.Now.AddMinutes(30);
        Assert.Equal(0, window.Figures().Count);
    }

    [Fact]
    public void A_change_time_after_the_confirmation_is_fresh_not_negative_and_no_change_time_is_not_counted()
    {
        var window = Window();
        window.Confirmed(_clock.Now.AddSeconds(3), _clock.Now); // the two systems' clocks disagree by a few seconds
        window.Confirmed(null, _clock.Now);

        var figures = window.Figures();

        Assert.Equal(1, figures.Count);
        Assert.Equal(0, figures.MaxSeconds!.Value, 3);
    }
}
