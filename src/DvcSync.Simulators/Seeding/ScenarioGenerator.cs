using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;

namespace DvcSync.Simulators.Seeding;

/// <summary>
/// The seeded province: agencies, the procedure catalogue and the dossiers with their ground truth, all
/// deterministic from the seed and "now". Dossier headers are generated up front (cheap); the full JSON of a
/// dossier and its steps are generated on demand from the header, so 100,000+ dossiers start in a second.
/// Thread-safe.
/// </summary>
public sealed class ScenarioGenerator
{
    private static readonly int[] FinalStatuses = [3, 7, 8, 9, 10];

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
    }

    public DateTimeOffset Now { get; }
    public ScenarioOptions Options => _options;
    public ProcedureCatalogue Catalogue { get; }
    public IReadOnlyList<Agency> Agencies { get; }
    public GroundTruth Truth { get; }
    internal IReadOnlyList<SeedDossier> Dossiers => _dossiers;

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
        var (events, dueExtended) = Timeline(m, tR, due, procedure, forceFinish);

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

    private static (List<SeedEvent> Events, DateTimeOffset DueExtended) Timeline(Random m, DateTimeOffset tR, DateTimeOffset due, Procedure p, bool forceFinish)
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

    // ---------------------------------------------------------------- full dossiers

    /// <summary>
    /// The fields of the source's dossier that identify and date it — MaHoSo, MaDonVi, TrangThaiHoSo, NgayTiepNhan — with
    /// the values <see cref="Build"/> gives them, without generating the rest (for listing a million dossiers quickly).
    /// </summary>
    internal JsonObject BuildHeader(SeedDossier d)
    {
        var status = d.Events[^1].Status;
        var o = new JsonObject
        {
            ["MaHoSo"] = d.MaHoSo,
            ["MaDonVi"] = _agencies[d.AgencyIndex].Agency.MaDonVi,
            ["TrangThaiHoSo"] = d.NumericCodes ? JsonValue.Create(status) : JsonValue.Create(status.ToString(CultureInfo.InvariantCulture)),
        };
        if (d.Events.Any(e => e.Status >= 2) && d.ReceivedAt is { } tr)
            o["NgayTiepNhan"] = d.MalformedNgayTiepNhan ?? SimTime.Compact(tr);
        if (d.NoDateMarkers && d.MalformedNgayTiepNhan is null) MarkNoDates(o, status, ["NgayTiepNhan"]);
        return o;
    }

    /// <summary>The dossier as the provincial system holds it (<paramref name="portalCopy"/> false) or as the portal holds it at start.</summary>
    internal JsonObject Build(SeedDossier d, bool portalCopy)
    {
        var r = new Random(DetailSeed(_options.Seed, d.Index, 1));
        var agency = _agencies[d.AgencyIndex].Agency;
        var p = Catalogue.All[d.ProcedureIndex];
        var events = portalCopy ? d.PortalEvents ?? d.Events : d.Events;
        var source = !portalCopy;

        // Every random draw happens here, in a fixed order, whatever the version: both versions share personal data.
        var loaiRoll = r.NextDouble();
        var loai = loaiRoll < 0.82 ? 1 : loaiRoll < 0.96 ? 2 : loaiRoll < 0.98 ? 3 : 4;
        var (person, male) = FakeIdentity.PersonName(r);
        var business = FakeIdentity.BusinessName(r);
        var birthYear = r.Next(1950, 2007);
        var citizenId = FakeIdentity.CitizenId(r, male, birthYear);
        var oldId = FakeIdentity.OldId(r);
        var taxCode = FakeIdentity.TaxCode(r);
        var useOldId = r.NextDouble() < 0.08;
        var phone = FakeIdentity.Phone(r);
        var hasPhone = r.NextDouble() < 0.9;
        var email = FakeIdentity.Email(r, person);
        var hasEmail = r.NextDouble() < 0.55;
        var techId = FakeIdentity.TechId(r);
        var channelRoll = r.NextDouble();
        var digitised = r.NextDouble() < 0.62;
        var vneid = r.NextDouble() < 0.7;
        var payRoll = r.NextDouble();
        var feeExempt = r.NextDouble() < 0.1;
        var feeAsNumber = r.Next(2) == 0;
        var resultLink = r.NextDouble() < 0.75;
        var resultId = FakeIdentity.Hex(r, 32);
        var resultFile = FakeIdentity.Hex(r, 20);
        var fileCount = r.Next(1, 4);
        var files = new (string Id, string Path, bool Digitised, bool Reused, bool FromRepo)[3];
        for (var i = 0; i < 3; i++)
            files[i] = (FakeIdentity.Hex(r, 24), FakeIdentity.Hex(r, 20), r.NextDouble() < 0.6, r.NextDouble() < 0.3, r.NextDouble() < 0.2);
        var supplementId = FakeIdentity.Hex(r, 24);
        var supplementWhat = SupplementTexts[r.Next(SupplementTexts.Length)];
        var isoSupplementDates = r.Next(2) == 0;
        var (officer, _) = FakeIdentity.PersonName(r);
        var receiptNo = r.Next(1, 100_000);
        var priority = r.NextDouble() < 0.08;
        var populationDb = r.NextDouble() < 0.35;
        var summaryVariant = r.Next(3);
        var counter = r.Next(1, 6);
        var returnRoll = r.NextDouble();

        var channel = channelRoll < 0.05 ? (int?)null : channelRoll < 0.5 ? 1 : channelRoll < 0.95 ? 2 : 3;
        var online = channel == 2;
        var status = events[^1].Status;
        var received = events.Any(e => e.Status >= 2);
        DateTimeOffset? At(int s) => events.Any(e => e.Status == s) ? events.First(e => e.Status == s).At : null;
        var supplementAt = At(5);
        DateTimeOffset? supplementBack = null;
        if (supplementAt is not null)
        {
            var i5 = Array.FindIndex(events, e => e.Status == 5);
            if (i5 + 1 < events.Length) supplementBack = events[i5 + 1].At;
        }
        var due = supplementBack is not null ? d.DueAtExtended : d.DueAt;
        if (portalCopy && d.PortalDueOlder) due -= TimeSpan.FromDays(2);
        var finishedAt = At(9) ?? At(8);
        JsonNode Code(int v) => d.NumericCodes ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));
        string Fmt(DateTimeOffset t) => SimTime.Compact(t);

        var o = new JsonObject
        {
            ["MaHoSo"] = d.MaHoSo,
            ["MaTTHC"] = source && d.UnknownMaTTHC is not null ? d.UnknownMaTTHC : p.MaTTHC,
            ["TenTTHC"] = p.TenTTHC,
            ["MaLinhVuc"] = p.MaLinhVuc,
            ["TenLinhVuc"] = p.TenLinhVuc,
        };
        if (channel is { } ch) o["KenhThucHien"] = Code(ch);
        o["ChuHoSo"] = loai == 2 ? business : person;
        o["LoaiDoiTuong"] = Code(loai);
        o["MaDoiTuong"] = online ? techId : "";
        o["SoGiayToChuHoSo"] = loai == 2 ? taxCode : useOldId ? oldId : citizenId;
        if (loai != 2)
            o["DinhDanhCHS"] = new JsonArray(new JsonObject
            {
                ["LoaiDinhDanh"] = Code(useOldId ? 2 : 1),
                ["SoDinhDanh"] = useOldId ? oldId : citizenId,
            });
        if (hasPhone) o["SoDienThoai"] = phone;
        o["Email"] = hasEmail ? email : "";
        o["TrichYeuHoSo"] = summaryVariant switch
        {
            0 => p.TenTTHC,
            1 => $"Đề nghị giải quyết thủ tục: {p.TenTTHC}",
            _ => $"{p.TenTTHC} ({(online ? "nộp trực tuyến" : "nộp trực tiếp")})",
        };
        o["SoBienNhan"] = received ? string.Create(CultureInfo.InvariantCulture, $"{d.MaHoSo[^12..^6]}{receiptNo:00000}") : "";
        o["NgayNopHoSo"] = Fmt(d.SubmittedAt);
        if (received && d.ReceivedAt is { } tr) o["NgayTiepNhan"] = source && d.MalformedNgayTiepNhan is not null ? d.MalformedNgayTiepNhan : Fmt(tr);
        if (received) o["NgayHenTra"] = Fmt(due);
        if (finishedAt is { } fin && !(source && d.Refusal == RefusalKind.FinishedWithoutEndDate)) o["NgayKetThucXuLy"] = Fmt(fin);
        if (At(10) is { } returned) o["NgayTra"] = Fmt(returned);
        if (At(3) is { } refused) o["NgayTuChoi"] = Fmt(refused);
        o["TrangThaiHoSo"] = Code(status);
        if (d.NoDateMarkers)
            MarkNoDates(o, status, DatedFields.Where(f => !(f == "NgayTiepNhan" && source && d.MalformedNgayTiepNhan is not null)));
        o["MaDonVi"] = agency.MaDonVi;
        o["DonViXuLy"] = agency.TenDonVi;
        var paid = p.CoPhiLePhi && online && !feeExempt ? (payRoll < 0.45 ? 1 : payRoll < 0.7 ? 2 : 0) : 0;
        o["DuocThanhToanTrucTuyen"] = Code(paid);
        o["HoSoCoThanhPhanSoHoa"] = Code(digitised ? 1 : 0);
        o["TaiKhoanDuocXacThucVoiVNeID"] = Code(online && vneid ? 1 : 0);

        var fees = new JsonArray();
        if (p.CoPhiLePhi)
        {
            var amount = feeExempt ? 0 : p.Fee;
            fees.Add(new JsonObject
            {
                ["TenPhiLePhi"] = "Lệ phí giải quyết thủ tục hành chính",
                ["MaPhiLePhi"] = "LP" + p.MaTTHC.Replace(".", "", StringComparison.Ordinal),
                ["HinhThucThu"] = paid > 0 ? "2" : "1",
                ["Gia"] = feeAsNumber ? JsonValue.Create(amount) : JsonValue.Create(amount.ToString(CultureInfo.InvariantCulture)),
                ["LoaiPhiLePhi"] = "1",
            });
        }
        o["DanhSachLePhi"] = fees;

        var results = new JsonArray();
        if (status is 9 or 10)
            results.Add(new JsonObject
            {
                ["TenGiayTo"] = "Kết quả giải quyết thủ tục hành chính",
                ["MaThanhPhanHoSo"] = "KQ01",
                ["GiayToId"] = resultId,
                ["DuongDanTepTinKetQua"] = resultLink ? $"https://dichvucong.binhson.gov.vn/files/ketqua/{resultFile}.pdf" : "",
                ["MaGiayToKetQua"] = "KQ-" + d.MaHoSo,
            });
        o["DanhSachGiayToKetQua"] = results;

        var submitted = new JsonArray();
        for (var i = 0; i < fileCount; i++)
            submitted.Add(new JsonObject
            {
                ["TepDinhKemId"] = files[i].Id,
                ["TenTepDinhKem"] = FileNames[i],
                ["MaThanhPhanHoSo"] = $"TP0{i + 1}",
                ["DuongDanTaiTepTin"] = $"https://dichvucong.binhson.gov.vn/files/hoso/{files[i].Path}.pdf",
                ["DuocSoHoa"] = files[i].Digitised ? "1" : "0",
                ["DuocTaiSuDung"] = files[i].Reused ? "1" : "0",
                ["DuocLayTuKhoDMQG"] = files[i].FromRepo ? "1" : "0",
            });
        o["TaiLieuNop"] = submitted;

        var supplements = new JsonArray();
        if (supplementAt is { } s5)
        {
            string F(DateTimeOffset t) => isoSupplementDates ? SimTime.Iso(t) : Fmt(t);
            supplements.Add(new JsonObject
            {
                ["HoSoBoSungId"] = supplementId,
                ["NguoiYeuCauBoSung"] = officer,
                ["NoiDungBoSung"] = supplementWhat,
                ["NgayBoSung"] = F(s5),
                ["NgayTiepNhanBoSung"] = supplementBack is { } b ? F(b) : "",
                ["TrangThaiBoSung"] = supplementBack is not null ? "1" : "0",
                ["NgayHenTraTruoc"] = F(d.DueAt),
                ["NgayHenTraMoi"] = supplementBack is not null ? F(d.DueAtExtended) : "",
            });
        }
        o["DanhSachHoSoBoSung"] = supplements;
        o["HinhThuc"] = online ? "1" : "0";
        o["NoiNopHoSo"] = online ? "Cổng Dịch vụ công quốc gia" : $"Bộ phận Tiếp nhận và Trả kết quả - {agency.TenDonVi}";
        o["ThongTinTra"] = returnRoll < 0.6 ? "Nhận trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả" : returnRoll < 0.85 ? "Nhận kết quả điện tử" : "Nhận qua dịch vụ bưu chính công ích";
        o["GhiChu"] = priority ? "Hồ sơ ưu tiên" : "";
        o["DSKetNoiCSDL"] = populationDb
            ? new JsonArray(new JsonObject { ["MaCSDL"] = "CSDLQGDC", ["TenCSDL"] = "Cơ sở dữ liệu quốc gia về dân cư" })
            : new JsonArray();
        if (d.ExtraFields)
        {
            o["MaHoSoLienThong"] = "";
            o["ThongTinMoRong"] = new JsonObject
            {
                ["NguonTiepNhan"] = online ? "DVCQG" : "MotCua",
                ["PhienBanAPI"] = "3.2",
                ["MaQuayTiepNhan"] = $"Q{counter:00}",
            };
            o["LoaiHoSo"] = 1;
        }
        return o;
    }

    private static readonly string[] DatedFields = ["NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi"];

    /// <summary>
    /// Writes <see cref="NoDateMarker"/> in <paramref name="fields"/> where <see cref="ScenarioOptions.NoDateMarkerFraction"/>
    /// says: a date the dossier has no value for, the open dossier's due and end dates, and NgayTiepNhan at status 2.
    /// A 9 or 10 without NgayKetThucXuLy is a refusal the scenario made on purpose, and stays without it.
    /// </summary>
    private static void MarkNoDates(JsonObject o, int status, IEnumerable<string> fields)
    {
        var open = !FinalStatuses.Contains(status);
        foreach (var field in fields)
        {
            var absent = SimJson.IsBlank(SimJson.Str(o, field));
            var marked = field switch
            {
                "NgayTiepNhan" => absent || status == 2,
                "NgayHenTra" => absent || open,
                "NgayKetThucXuLy" => status is not (9 or 10) && (absent || open),
                _ => absent,
            };
            if (marked) o[field] = NoDateMarker;
        }
    }

    /// <summary>Whether the provincial system exports this dossier's NgayCapNhat as <see cref="NoDateMarker"/>.</summary>
    internal static bool ExportsNoChangeDate(SeedDossier? seed, JsonObject item) =>
        seed is { NoDateMarkers: true } && SimJson.Int(item["TrangThaiHoSo"]) is { } status && !FinalStatuses.Contains(status);

    /// <summary>The processing steps (tiendo) of a dossier, in time order.</summary>
    internal List<JsonObject> BuildSteps(SeedDossier d, bool portalCopy)
    {
        var events = portalCopy ? d.PortalEvents ?? d.Events : d.Events;
        var r = new Random(DetailSeed(_options.Seed, d.Index, 2));
        var steps = new List<JsonObject>(events.Length);
        var due = events.Any(e => e.Status == 5) && events.SkipWhile(e => e.Status != 5).Skip(1).Any() ? d.DueAtExtended : d.DueAt;
        foreach (var e in events)
        {
            var (officer, _) = FakeIdentity.PersonName(r);
            steps.Add(Step(d.MaHoSo, e.Status, e.At, e.Status == 1 ? "" : SimTime.Compact(due), e.Status == 1 ? "Hệ thống" : officer));
        }
        return steps;
    }

    internal static JsonObject Step(string maHoSo, int status, DateTimeOffset at, string dueText, string officer) => new()
    {
        ["MaHoSo"] = maHoSo,
        ["NguoiXuLy"] = officer,
        ["ChucDanh"] = status switch
        {
            1 => "Hệ thống",
            2 or 10 => "Cán bộ tiếp nhận",
            3 or 7 or 8 or 9 => "Lãnh đạo phòng",
            _ => "Chuyên viên",
        },
        ["ThoiDiemXuLy"] = SimTime.Compact(at),
        ["PhongBanXuLy"] = status is 1 or 2 or 10 ? "Bộ phận Tiếp nhận và Trả kết quả" : "Phòng chuyên môn",
        ["NoiDungXuLy"] = status switch
        {
            1 => "Nộp hồ sơ trực tuyến",
            2 => "Tiếp nhận hồ sơ",
            3 => "Từ chối tiếp nhận hồ sơ",
            4 => "Chuyển xử lý hồ sơ",
            5 => "Yêu cầu bổ sung hồ sơ",
            6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
            7 => "Công dân rút hồ sơ",
            8 => "Dừng xử lý hồ sơ",
            9 => "Phê duyệt kết quả giải quyết",
            _ => "Trả kết quả giải quyết",
        },
        ["TrangThai"] = status.ToString(CultureInfo.InvariantCulture),
        ["NgayBatDau"] = SimTime.Compact(at),
        ["NgayKetThucTheoQuyDinh"] = dueText,
    };

    private static readonly string[] FileNames = ["Don_de_nghi.pdf", "Ban_sao_giay_to_tuy_than.pdf", "Giay_to_lien_quan.pdf"];
    private static readonly string[] SupplementTexts =
    [
        "Bổ sung bản sao giấy tờ chứng minh nơi cư trú",
        "Bổ sung tờ khai theo mẫu quy định",
        "Bổ sung bản vẽ thiết kế có chữ ký, đóng dấu",
        "Bổ sung giấy ủy quyền hợp lệ",
    ];

    // ---------------------------------------------------------------- helpers

    internal static int DetailSeed(int seed, int index, int salt)
    {
        unchecked
        {
            var x = ((ulong)(uint)seed << 32) ^ (uint)index ^ ((ulong)(uint)salt << 17) ^ 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            x ^= x >> 31;
            return (int)(x & 0x7FFFFFFF);
        }
    }

    private static DateTimeOffset Uniform(Random r, DateTimeOffset lo, DateTimeOffset hi) =>
        Sec(lo + TimeSpan.FromTicks((long)(r.NextDouble() * (hi - lo).Ticks)));

    private static TimeSpan Span(Random r, TimeSpan lo, TimeSpan hi) => lo + TimeSpan.FromTicks((long)(r.NextDouble() * (hi - lo).Ticks));

    private static DateTimeOffset Sec(DateTimeOffset t) => SimTime.TruncateToSeconds(t.ToOffset(SimTime.VietnamOffset));

    private DateTimeOffset Clamp(DateTimeOffset t) => t > Now ? Now : t;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
