using static DvcSync.Simulators.Seeding.SeedRandom;

namespace DvcSync.Simulators.Seeding;

/// <summary>
/// What happens to a received dossier, as events from its receipt: sometimes refused at once, otherwise taken up,
/// maybe sent back for supplements or for fees (which moves its due date), and then withdrawn, stopped, or decided and
/// returned, mostly on time.
/// </summary>
internal static class SeedTimeline
{
    public static (List<SeedEvent> Events, DateTimeOffset DueExtended) Of(Random m, DateTimeOffset tR, DateTimeOffset due, Procedure p, bool forceFinish)
    {
        var events = new List<SeedEvent> { new(2, tR) };
        var dueExtended = due;
        if (!forceFinish && m.NextDouble() < 0.04)
        {
            events.Add(new SeedEvent(3, Sec(tR + Span(m, TimeSpan.FromMinutes(5), TimeSpan.FromHours(2)))));
            return (events, dueExtended);
        }
        var cursor = Sec(tR + Span(m, TimeSpan.FromMinutes(30), TimeSpan.FromHours(20)));
        events.Add(new SeedEvent(4, cursor));
        var half = TimeSpan.FromDays(Math.Max(1, p.ProcessingDays / 2.0));
        if (m.NextDouble() < 0.12)
        {
            var t5 = Sec(cursor + Span(m, TimeSpan.FromHours(4), half));
            var back = Sec(t5 + Span(m, TimeSpan.FromDays(1), TimeSpan.FromDays(6)));
            events.Add(new SeedEvent(5, t5));
            events.Add(new SeedEvent(4, back));
            dueExtended = due + (back - t5);
            cursor = back;
        }
        if (p.CoPhiLePhi && m.NextDouble() < 0.15)
        {
            var t6 = Sec(cursor + Span(m, TimeSpan.FromHours(2), TimeSpan.FromDays(2)));
            var paid = Sec(t6 + Span(m, TimeSpan.FromHours(1), TimeSpan.FromDays(3)));
            events.Add(new SeedEvent(6, t6));
            events.Add(new SeedEvent(4, paid));
            cursor = paid;
        }
        var outcome = m.NextDouble();
        var onTime = m.NextDouble() < 0.85;
        if (!forceFinish && outcome < 0.03)
        {
            events.Add(new SeedEvent(7, Sec(cursor + Span(m, TimeSpan.FromHours(1), TimeSpan.FromDays(Math.Max(1, p.ProcessingDays))))));
        }
        else if (!forceFinish && outcome < 0.06)
        {
            events.Add(new SeedEvent(8, Sec(cursor + Span(m, TimeSpan.FromHours(1), TimeSpan.FromDays(Math.Max(1, p.ProcessingDays))))));
        }
        else
        {
            var t9 = onTime && dueExtended > cursor + TimeSpan.FromHours(2)
                ? Uniform(m, cursor + TimeSpan.FromHours(1), dueExtended)
                : Sec(Max(cursor, dueExtended) + Span(m, TimeSpan.FromHours(1), TimeSpan.FromDays(10)));
            events.Add(new SeedEvent(9, t9));
            events.Add(new SeedEvent(10, Sec(t9 + Span(m, TimeSpan.FromMinutes(30), TimeSpan.FromDays(3)))));
        }
        return (events, dueExtended);
    }
}
