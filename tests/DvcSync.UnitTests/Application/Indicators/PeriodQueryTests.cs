using DvcSync.Application.Indicators;

namespace DvcSync.UnitTests.Application.Indicators;

public class PeriodQueryTests
{
    [Theory]
    [InlineData("0001-01-01", "0001-01-31", "'from' is outside the supported dates, 1970-01-01 to 2099-12-31")]
    [InlineData("1969-12-31", "1970-01-01", "'from' is outside the supported dates")]
    [InlineData("2099-12-31", "2100-01-01", "'to' is outside the supported dates, 1970-01-01 to 2099-12-31")]
    [InlineData("9999-12-01", "9999-12-31", "'from' is outside the supported dates")]
    public void A_day_outside_the_supported_dates_is_refused_with_the_range(string from, string to, string problem)
    {
        var (period, detail) = PeriodQuery.Parse(from, to);
        Assert.Null(period);
        Assert.Contains(problem, detail);
    }

    [Fact]
    public void The_supported_dates_from_end_to_end_are_periods()
    {
        Assert.Equal(new PeriodQuery(new DateOnly(1970, 1, 1), new DateOnly(1970, 12, 31)), PeriodQuery.Parse("1970-01-01", "1970-12-31").Period);
        Assert.Equal(new PeriodQuery(new DateOnly(2099, 1, 1), new DateOnly(2099, 12, 31)), PeriodQuery.Parse("2099-01-01", "2099-12-31").Period);
    }

    [Theory]
    [InlineData("079012345678", "2025-01-31", "'from' (12 characters, shaped '999999999999')")]
    [InlineData("2025-01-01", "Nguyễn Văn An", "'to' (13 characters, shaped 'aaaaaa aaa aa')")]
    public void A_malformed_day_is_described_by_its_shape_never_repeated(string from, string to, string described)
    {
        var (_, detail) = PeriodQuery.Parse(from, to);
        Assert.Contains(described, detail);
        Assert.DoesNotContain("079012345678", detail);
        Assert.DoesNotContain("Nguyễn", detail);
    }
}
