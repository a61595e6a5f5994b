using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;
using static DvcSync.Simulators.Seeding.SeedRandom;

namespace DvcSync.Simulators.Seeding;

/// <summary>
/// The seeded province: agencies, the procedure catalogue and the dossiers with their ground truth, all
/// deterministic from the seed and "now". Dossier headers are generated up front (cheap); the full JSON of a
/// dossier and its steps are generated on demand from the header, so 100,000+ dossiers start in a second.
/// Thread-safe.
/// </summary>
public sealed class ScenarioGenerator
{
    /// <summary>How several one-stop systems write "no date": well formed, so the portal takes it as it is.</summary>
    public const string NoDateMarker = "00010101000000";
    private readonly ScenarioOptions _options;
    private readonly List<AgencySeed> _agencies;
    private readonly int[][] _proceduresByAgency;
    private readonly Dictionary<(int Agency, int Day), int> _sequence = new();
    private readonly object _sequenceGate = new();
    private readonly List<SeedDossier> _dossiers;
    private int _runtimeCount;

    public ScenarioGenerator(ScenarioOptions options, DateTimeOffset now, ProcedureCatalogue? catalogue = null)
    {
        options.Validate();
        _options = options;
        Now = SimTime.TruncateToSeconds(options.Now ?? now).ToOffset(SimTime.VietnamOffset);
        if (Now <= options.Start) throw new ArgumentException("The scenario's now must be later than its start.");
        Catalogue = catalogue ?? ProcedureCatalogue.Default;
        _agencies = AgencyDirectory.Build(options.ProvinceSuffix, options.NewCommuneCount, options.OldDistrictCount, options.OldCommunesPerDistrict);
        Agencies = _agencies.Select(a => a.Agency).ToList();
        _proceduresByAgency = _agencies.Select(a =>
        {
            var owners = a.Owner.Split('|');
            return Catalogue.All.Select((p, i) => (p, i)).Where(x => owners.Contains(x.p.Owner)).Select(x => x.i).ToArray();
        }).ToArray();

        var master = new Random(options.Seed);
        _dossiers = new List<SeedDossier>(options.DossierCount);
        for (var i = 0; i < options.DossierCount; i++) _dossiers.Add(Generate(master, i));
        Truth = new GroundTruth(_dossiers.Select(TruthOf));
        Json = new DossierJson(this);
    }

    public DateTimeOffset Now { get; }
    public ScenarioOptions Options => _options;
    public ProcedureCatalogue Catalogue { get; }
    public IReadOnlyList<Agency> Agencies { get; }
    public GroundTruth Truth { get; }
    internal IReadOnlyList<SeedDossier> Dossiers => _dossiers;

    /// <summary>The full JSON and the steps of a seeded dossier, generated on demand.</summary>
    internal DossierJson Json { get; }

    // ---------------------------------------------------------------- headers

    private SeedDossier Generate(Random m, int index)
    {
        var category = PickCategory(m.NextDouble());
        var refusal = category == DossierCategory.RefusedByPortal ? (RefusalKind)(1 + m.Next(4)) : RefusalKind.None;
        var numericCodes = m.NextDouble() < _options.NumericCodesFraction;
        var extraFields = m.NextDouble() < _options.ExtraFieldsFraction;
        // Drawn only when asked for, so that every other scenario stays the same for the same seed.
        var noDateMarkers = _options.NoDateMarkerFraction > 0 && m.NextDouble() < _options.NoDateMarkerFraction;

        if (category == DossierCategory.NotYetReceived)
        {
            var lo = Max(_options.Start, Now - TimeSpan.FromDays(5));
            var hi = Now - TimeSpan.FromMinutes(10);
            if (hi <= lo) (lo, hi) = (_options.Start, Now);
            var t0 = Uniform(m, lo, hi);
            var agency = PickAgency(m, t0);
            var proc = PickProcedure(m, agency);
            return new SeedDossier
            {
                Index = index,
                MaHoSo = NextMaHoSo(agency, t0),
                AgencyIndex = agency,
                ProcedureIndex = proc,
                Category = category,
                SubmittedAt = t0,
                DueAt = t0,
                DueAtExtended = t0,
                Events = [new SeedEvent(1, t0)],
                NgayCapNhat = Clamp(t0 + Span(m, TimeSpan.Zero, TimeSpan.FromMinutes(5))),
                PhienBan = 1,
                SyncFlag = "0",
                SyncError = "",
                NumericCodes = numericCodes,
                ExtraFields = extraFields,
                NoDateMarkers = noDateMarkers,
            };
        }

        var forceFinish = refusal == RefusalKind.FinishedWithoutEndDate;
        var from = _options.Start;
        var to = Now - TimeSpan.FromHours(1);
        if (to <= from) to = Now;
        if (forceFinish && Now - TimeSpan.FromDays(40) > from) to = Now - TimeSpan.FromDays(40);
        if (category == DossierCategory.StaleOnPortal && Now - TimeSpan.FromDays(3) > from) to = Now - TimeSpan.FromDays(3);
        var tR = Uniform(m, from, to);
        var agencyIndex = PickAgency(m, tR);
        var procIndex = PickProcedure(m, agencyIndex);
        var procedure = Catalogue.All[procIndex];
        var t0s = m.NextDouble() < 0.45 ? tR : tR - Span(m, TimeSpan.FromMinutes(5), TimeSpan.FromHours(36));
        var due = Sec(tR + TimeSpan.FromDays(procedure.ProcessingDays));
        var (events, dueExtended) = SeedTimeline.Of(m, tR, due, procedure, forceFinish);

        var included = events.Where(e => e.At <= Now).ToList();
        // A quarter of them are left at 2 (received, not taken up yet), where "no date" also lands in NgayTiepNhan.
        if (noDateMarkers && refusal == RefusalKind.None && category != DossierCategory.StaleOnPortal && m.NextDouble() < 0.25)
            included.RemoveRange(1, included.Count - 1);
        if (forceFinish && included[^1].Status is not (9 or 10))
        {
            while (included.Count > 1 && FinalStatuses.Contains(included[^1].Status)) included.RemoveAt(included.Count - 1);
            var at = Min(Max(included[^1].At + TimeSpan.FromMinutes(1), Now - TimeSpan.FromMinutes(30)), Now);
            included.Add(new SeedEvent(9, Sec(at)));
        }
        if (refusal == RefusalKind.FinalOnPortal)
        {
            var firstFinal = included.FindIndex(e => FinalStatuses.Contains(e.Status));
            if (firstFinal > 0) included.RemoveRange(firstFinal, included.Count - firstFinal);
        }

        var last = included[^1].At;
        var ngayCapNhat = Clamp(last + Span(m, TimeSpan.Zero, TimeSpan.FromMinutes(20)));
        var phienBan = included.Count + m.Next(0, 3);
        SeedEvent[]? portalEvents = null;
        var portalDueOlder = false;
        DateTimeOffset? portalSyncedAt = null;
        string syncFlag = "1", syncError = "";
        string? unknownCode = null, malformed = null;
        var maHoSo = NextMaHoSo(agencyIndex, t0s);

        switch (category)
        {
            case DossierCategory.Current:
                portalSyncedAt = Clamp(ngayCapNhat + Span(m, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30)));
                break;
            case DossierCategory.MissingFromPortal:
                syncFlag = "0";
                syncError = TransportErrors[m.Next(TransportErrors.Length)];
                break;
            case DossierCategory.FlaggedSyncedButMissing:
                break;
            case DossierCategory.StaleOnPortal:
                syncFlag = m.Next(2) == 0 ? "1" : "0";
                if (included.Count >= 2)
                {
                    portalEvents = included.Take(included.Count - 1).ToArray();
                    var synced = portalEvents[^1].At + Span(m, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));
                    portalSyncedAt = Min(synced, included[^1].At - TimeSpan.FromSeconds(1));
                }
                else
                {
                    portalDueOlder = true;
                    portalSyncedAt = Clamp(included[0].At + Span(m, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)));
                    ngayCapNhat = Clamp(Max(ngayCapNhat, portalSyncedAt.Value + Span(m, TimeSpan.FromHours(1), TimeSpan.FromDays(2))));
                    phienBan++;
                }
                break;
            case DossierCategory.RefusedByPortal:
                syncFlag = "0";
                switch (refusal)
                {
                    case RefusalKind.UnknownProcedure:
                        unknownCode = ProcedureCatalogue.UnknownCode(m.Next(1000));
                        syncError = PortalMessages.UnknownProcedure(unknownCode);
                        break;
                    case RefusalKind.FinishedWithoutEndDate:
                        syncError = PortalMessages.EndDateMissing(included[^1].Status);
                        break;
                    case RefusalKind.MalformedReceivedDate:
                        malformed = m.Next(2) == 0
                            ? tR.ToOffset(SimTime.VietnamOffset).ToString("yyyy", CultureInfo.InvariantCulture) + "-13-45"
                            : tR.ToOffset(SimTime.VietnamOffset).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
                        syncError = PortalMessages.ReceivedDateMalformed(malformed);
                        break;
                    case RefusalKind.FinalOnPortal:
                        var tFinal = Sec(included[^1].At + (Now - included[^1].At) / 3);
                        var finalStatus = new[] { 8, 7, 3 }[m.Next(3)];
                        portalEvents = [.. included, new SeedEvent(finalStatus, tFinal)];
                        portalSyncedAt = Clamp(tFinal + TimeSpan.FromMinutes(1));
                        ngayCapNhat = Clamp(Max(ngayCapNhat, tFinal + (Now - tFinal) / 2));
                        phienBan += 2;
                        syncError = PortalMessages.FinalState(maHoSo);
                        break;
                }
                break;
        }

        return new SeedDossier
        {
            Index = index,
            MaHoSo = maHoSo,
            AgencyIndex = agencyIndex,
            ProcedureIndex = procIndex,
            Category = category,
            Refusal = refusal,
            SubmittedAt = t0s,
            ReceivedAt = tR,
            DueAt = due,
            DueAtExtended = dueExtended,
            Events = included.ToArray(),
            PortalEvents = portalEvents,
            PortalDueOlder = portalDueOlder,
            NgayCapNhat = Sec(ngayCapNhat),
            PhienBan = phienBan,
            PortalSyncedAt = portalSyncedAt is { } p ? Sec(p) : null,
            SyncFlag = syncFlag,
            SyncError = syncError,
            UnknownMaTTHC = unknownCode,
            MalformedNgayTiepNhan = malformed,
            NumericCodes = numericCodes,
            ExtraFields = extraFields,
            NoDateMarkers = noDateMarkers,
        };
    }

    private static readonly string[] TransportErrors =
    [
        "Không kết nối được tới Cổng Dịch vụ công quốc gia",
        "Hết thời gian chờ phản hồi từ Cổng Dịch vụ công quốc gia",
        "Cổng DVCQG trả về lỗi hệ thống (99)",
        "Phiên làm việc không hợp lệ hoặc đã hết hạn",
        "",
    ];

    private DossierCategory PickCategory(double roll)
    {
        var o = _options;
        var edge = o.MissingFraction;
        if (roll < edge) return DossierCategory.MissingFromPortal;
        if (roll < (edge += o.StaleFraction)) return DossierCategory.StaleOnPortal;
        if (roll < (edge += o.RefusedFraction)) return DossierCategory.RefusedByPortal;
        if (roll < (edge += o.FlaggedSyncedButMissingFraction)) return DossierCategory.FlaggedSyncedButMissing;
        if (roll < edge + o.NotYetReceivedFraction) return DossierCategory.NotYetReceived;
        return DossierCategory.Current;
    }

    private int PickAgency(Random m, DateTimeOffset at)
    {
        double total = 0;
        for (var i = 0; i < _agencies.Count; i++)
            if (_agencies[i].ActiveAt(at) && _proceduresByAgency[i].Length > 0) total += _agencies[i].Weight;
        if (total <= 0) throw new InvalidOperationException("No agency receives dossiers at " + SimTime.Iso(at));
        var roll = m.NextDouble() * total;
        var last = -1;
        for (var i = 0; i < _agencies.Count; i++)
        {
            if (!_agencies[i].ActiveAt(at) || _proceduresByAgency[i].Length == 0) continue;
            last = i;
            roll -= _agencies[i].Weight;
            if (roll < 0) return i;
        }
        return last;
    }

    private int PickProcedure(Random m, int agency)
    {
        var list = _proceduresByAgency[agency];
        return list[m.Next(list.Length)];
    }

    private string NextMaHoSo(int agency, DateTimeOffset created)
    {
        var local = created.ToOffset(SimTime.VietnamOffset);
        var day = local.Year % 100 * 10000 + local.Month * 100 + local.Day;
        int seq;
        lock (_sequenceGate)
        {
            _sequence.TryGetValue((agency, day), out seq);
            _sequence[(agency, day)] = ++seq;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{_agencies[agency].Agency.MaDonVi}-{day:000000}-{seq:00000}");
    }

    private TruthEntry TruthOf(SeedDossier d)
    {
        var onPortal = _options.PreloadPortal && d.PortalSyncedAt is not null;
        var expected = d.Refusal switch
        {
            RefusalKind.UnknownProcedure or RefusalKind.FinishedWithoutEndDate or RefusalKind.MalformedReceivedDate => "2",
            RefusalKind.FinalOnPortal when onPortal => "5",
            _ => "0",
        };
        return new TruthEntry(
            d.MaHoSo,
            _agencies[d.AgencyIndex].Agency.MaDonVi,
            d.Category,
            d.Refusal,
            d.Status,
            d.ReceivedWithoutDate ? null : d.ReceivedAt,
            d.ReceivedAt is not null && d.MalformedNgayTiepNhan is null && !d.ReceivedWithoutDate,
            onPortal,
            onPortal && d.Category == DossierCategory.Current,
            d.SyncFlag,
            expected,
            d.NoDateMarkers);
    }

    // ---------------------------------------------------------------- run-time additions

    /// <summary>A new dossier received just now (for the mutation API), by the given agency or a random active one.</summary>
    internal SeedDossier CreateRuntimeDossier(DateTimeOffset now, string? maDonVi)
    {
        var n = Interlocked.Increment(ref _runtimeCount);
        var m = new Random(DetailSeed(_options.Seed, n, 0x5EED));
        int agency;
        if (maDonVi is not null)
        {
            agency = _agencies.FindIndex(a => a.Agency.MaDonVi == maDonVi);
            if (agency < 0) throw new ArgumentException($"Unknown agency {maDonVi}.");
            if (_proceduresByAgency[agency].Length == 0) throw new ArgumentException($"Agency {maDonVi} receives no dossiers.");
        }
        else
        {
            agency = PickAgency(m, now);
        }
        var proc = PickProcedure(m, agency);
        var tR = Sec(now - Span(m, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30)));
        var due = Sec(tR + TimeSpan.FromDays(Catalogue.All[proc].ProcessingDays));
        var d = new SeedDossier
        {
            Index = _options.DossierCount + n,
            MaHoSo = NextMaHoSo(agency, tR),
            AgencyIndex = agency,
            ProcedureIndex = proc,
            Category = DossierCategory.AddedAtRuntime,
            SubmittedAt = tR,
            ReceivedAt = tR,
            DueAt = due,
            DueAtExtended = due,
            Events = [new SeedEvent(2, tR)],
            NgayCapNhat = Sec(now),
            PhienBan = 1,
            SyncFlag = "0",
            SyncError = "",
        };
        Truth.Add(TruthOf(d));
        return d;
    }

    private DateTimeOffset Clamp(DateTimeOffset t) => t > Now ? Now : t;
}
