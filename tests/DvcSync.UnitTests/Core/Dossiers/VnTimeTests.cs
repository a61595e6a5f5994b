using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core.Dossiers;

public class VnTimeTests
{
    [Fact]
    public void Parses_wire_dates_as_Vietnam_local_time()
    {
        Assert.True(VnTime.TryParse("20250115093012", out var at));
        Assert.Equal(new DateTimeOffset(2025, 1, 15, 2, 30, 12, TimeSpan.Zero), at.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(7), at.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("20250115")]
    [InlineData("2025-13-45")]
    [InlineData("20251345093012")]
    [InlineData("20250230120000")]
    [InlineData("2025011509301x")]
    [InlineData("2025-01-15T09:30:12+07:00")]
    public void Rejects_malformed_dates(string text) => Assert.False(VnTime.TryParse(text, out _));

    [Fact]
    public void The_day_is_the_Vietnamese_calendar_day_not_the_UTC_one()
    {
        // 23:30 UTC on 14 January is 06:30 on 15 January in Hanoi.
        var at = new DateTimeOffset(2025, 1, 14, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2025, 1, 15), VnTime.Day(at));
        Assert.Equal("20250115063000", VnTime.Format(at));
        Assert.Equal("2025-01-15T06:30:00+07:00", VnTime.FormatIso(at));
    }

    [Theory]
    [InlineData("00010101000000", false)] // how several one-stop systems write "no date"; it has no UTC instant
    [InlineData("00010101065959", false)]
    [InlineData("16001231235959", false)] // before anything Azure Tables can store
    [InlineData("19691231235959", false)]
    [InlineData("21000101000000", true)]
    [InlineData("99991231235959", true)]
    public void A_well_formed_date_outside_1970_to_2099_is_no_date_and_never_an_exception(string text, bool later)
    {
        var reading = VnTime.Read(text);
        Assert.Equal(DateReadingKind.OutOfRange, reading.Kind);
        Assert.True(reading.IsPresent);
        Assert.Null(reading.At);
        Assert.Equal(later, reading.IsBeyondSupportedRange);
        Assert.False(VnTime.TryParse(text, out _));
    }

    [Theory]
    [InlineData("19700101000000")]
    [InlineData("20991231235959")]
    public void The_first_and_last_moments_of_the_supported_range_are_dates(string text)
    {
        Assert.Equal(DateReadingKind.Date, VnTime.Read(text).Kind);
        Assert.True(VnTime.TryParse(text, out var at));
        Assert.Equal(text, VnTime.Format(at));
    }

    [Fact]
    public void Absent_and_malformed_are_told_apart()
    {
        Assert.Equal(DateReadingKind.Absent, VnTime.Read(null).Kind);
        Assert.Equal(DateReadingKind.Absent, VnTime.Read("").Kind);
        Assert.False(VnTime.Read("").IsPresent);
        Assert.Equal(DateReadingKind.Malformed, VnTime.Read("2025-13-45").Kind);
        Assert.True(VnTime.Read("2025-13-45").IsPresent);
    }

    [Fact]
    public void Every_year_reads_without_throwing_and_no_date_it_gives_is_outside_the_range()
    {
        for (var year = 1; year <= 9999; year++)
        {
            foreach (var text in new[] { $"{year:0000}0101000000", $"{year:0000}1231235959" })
            {
                var reading = VnTime.Read(text);
                if (reading.At is { } at)
                {
                    Assert.InRange(VnTime.Day(at), VnTime.EarliestDay, VnTime.LatestDay);
                    // Whatever the project stores from a date is well after 1601, the earliest Azure Tables holds.
                    Assert.True(at.UtcDateTime.Year >= 1969, text);
                }
                else Assert.Equal(DateReadingKind.OutOfRange, reading.Kind);
            }
        }
    }

    [Fact]
    public void The_supported_range_is_1970_to_2099()
    {
        Assert.True(VnTime.IsSupported(new DateOnly(1970, 1, 1)));
        Assert.True(VnTime.IsSupported(new DateOnly(2099, 12, 31)));
        Assert.False(VnTime.IsSupported(new DateOnly(1969, 12, 31)));
        Assert.False(VnTime.IsSupported(new DateOnly(2100, 1, 1)));
        Assert.Equal("1970-01-01 to 2099-12-31", VnTime.SupportedRange);
    }

    [Fact]
    public void Format_round_trips()
    {
        Assert.True(VnTime.TryParse("20251231235959", out var at));
        Assert.Equal("20251231235959", VnTime.Format(at));
    }
}
