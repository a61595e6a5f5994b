using DvcSync.Core.Retry;

namespace DvcSync.UnitTests.Core.Retry;

public class RetryScheduleTests
{
    private static readonly RetrySchedule Schedule = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24));

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(10, 300)]
    public void Delays_grow_exponentially_up_to_the_cap_with_jitter_inside_the_upper_half(int attempt, double ceilingSeconds)
    {
        Assert.Equal(ceilingSeconds / 2, Schedule.DelayFor(attempt, 0).TotalSeconds, 6);
        Assert.True(Schedule.DelayFor(attempt, 0.999).TotalSeconds < ceilingSeconds);
        Assert.True(Schedule.DelayFor(attempt, 0.999).TotalSeconds > ceilingSeconds * 0.99);
    }

    [Fact]
    public void Gives_up_after_the_configured_time()
    {
        var since = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.False(Schedule.ShouldGiveUp(since, since.AddHours(23)));
        Assert.True(Schedule.ShouldGiveUp(since, since.AddHours(24)));
    }
}
