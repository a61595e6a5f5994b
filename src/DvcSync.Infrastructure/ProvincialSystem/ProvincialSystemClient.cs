using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>
/// <see cref="IProvincialSystem"/> over the provincial system's REST adapter. Retries, time-outs and the bearer token
/// live in the HTTP pipeline; what survives them becomes an <see cref="ExternalSystemUnavailableException"/>. Items
/// are read leniently: a dossier whose fields cannot be read still arrives (with its defects), and a page never fails
/// because of one item.
/// </summary>
public sealed class ProvincialSystemClient : IProvincialSystem
{
    public const int MaxPageSize = 1000;

    private readonly IProvincialSystemApi _api;
    private readonly ProvincialSystemOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal ProvincialSystemClient(IProvincialSystemApi api, IOptions<ProvincialSystemOptions> options, TimeProvider time, ILogger<ProvincialSystemClient> logger)
    {
        _api = api;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <remarks>
    /// A page larger than <c>ProvincialSystem:MaxPageBytes</c> is asked for again with half the limit, down to one
    /// dossier: the cursor is a position, so a smaller page simply ends earlier. A single dossier over the cap throws
    /// <see cref="ProvincialAnswerTooLargeException"/>, naming the setting.
    /// </remarks>
    public async Task<ChangedDossiersPage> GetChangedAsync(DateTimeOffset from, DateTimeOffset to, string? cursor, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var size = Math.Min(limit, MaxPageSize);
        ProvincialItemsReply reply;
        while (true)
        {
            try
            {
                reply = await Ensure(
                    () => _api.GetChangedAsync(VnTime.FormatIso(from), VnTime.FormatIso(to), size, string.IsNullOrEmpty(cursor) ? null : cursor, cancellationToken),
                    "changed dossiers", cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (ProvincialAnswerTooLargeException) when (size > 1)
            {
                _logger.LogWarning("A page of {Size} changed dossiers was larger than {Setting} ({MaxBytes} bytes); asking for {Half} instead",
                    size, ProvincialSystemOptions.SectionName + ":MaxPageBytes", _options.MaxPageBytes, size / 2);
                size /= 2;
            }
            catch (ProvincialAnswerTooLargeException)
            {
                var failure = new ProvincialAnswerTooLargeException(
                    $"A single dossier of the provincial system is larger than {ProvincialSystemOptions.SectionName}:MaxPageBytes ({_options.MaxPageBytes} bytes): raise {ProvincialSystemOptions.SectionName}:MaxPageBytes, or have the provincial adapter trim that dossier");
                _logger.LogError("{Failure}", failure.Message);
                throw failure;
            }
        }

        var items = new List<SourceDossier>();
        var index = 0;
        foreach (var item in Detach(reply.Items))
        {
            if (ToSourceDossier(item, index++) is { } dossier) items.Add(dossier);
        }
        return new ChangedDossiersPage(items, string.IsNullOrEmpty(reply.NextCursor) ? null : reply.NextCursor);
    }

    public async Task<SourceDossier?> GetDossierAsync(string maHoSo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(maHoSo);
        var dossier = await EnsureOrNotFound(() => _api.GetDossierAsync(maHoSo, cancellationToken), "dossier", cancellationToken).ConfigureAwait(false);
        return dossier is null ? null : ToSourceDossier(dossier, 0);
    }

    public async Task<IReadOnlyList<JsonObject>> GetStepsAsync(string maHoSo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(maHoSo);
        var reply = await EnsureOrNotFound(() => _api.GetStepsAsync(maHoSo, cancellationToken), "processing steps", cancellationToken).ConfigureAwait(false);
        return reply is null ? [] : Detach(reply.Items).OfType<JsonObject>().ToList();
    }

    public async Task<IReadOnlyList<Agency>> GetAgenciesAsync(CancellationToken cancellationToken)
    {
        var reply = await Ensure(() => _api.GetAgenciesAsync(cancellationToken), "agencies", cancellationToken).ConfigureAwait(false);
        var agencies = new List<Agency>();
        foreach (var item in Detach(reply.Items).OfType<JsonObject>())
        {
            var code = Dossier.ReadCode(item, "MaDonVi");
            if (code is null)
            {
                _logger.LogWarning("The provincial system listed an agency without MaDonVi; skipped");
                continue;
            }
            agencies.Add(new Agency(code, Dossier.ReadCode(item, "TenDonVi") ?? "", Dossier.ReadCode(item, "Cap") ?? "", Dossier.ReadCode(item, "MaDonViCha")));
        }
        return agencies;
    }

    public async Task<IReadOnlyList<ReportedReceivedCount>> GetReceivedCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var reply = await Ensure(
            () => _api.GetReceivedCountsAsync(
                from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                cancellationToken),
            "received counts", cancellationToken).ConfigureAwait(false);
        var counts = new List<ReportedReceivedCount>();
        var skipped = 0;
        foreach (var item in Detach(reply.Items).OfType<JsonObject>())
        {
            var code = Dossier.ReadCode(item, "MaDonVi");
            var day = Dossier.ReadCode(item, "Ngay");
            var count = Dossier.ReadCode(item, "SoHoSoTiepNhan");
            if (code is null || !TryParseDay(day, out var date) || !long.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < 0)
            {
                skipped++;
                continue;
            }
            counts.Add(new ReportedReceivedCount(code, date, number));
        }
        if (skipped > 0) _logger.LogWarning("Skipped {Count} unreadable received-count rows from the provincial system", skipped);
        return counts;
    }

    private SourceDossier? ToSourceDossier(JsonNode? item, int index)
    {
        if (item is not JsonObject fields)
        {
            _logger.LogWarning("Item {Index} of a provincial page is not a JSON object; skipped", index);
            return null;
        }
        return SourceDossier.FromJson(fields);
    }

    private static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
        || DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>The items of a reply, detached from their array so callers may put them into other JSON trees.</summary>
    private static List<JsonNode?> Detach(JsonNode? items)
    {
        if (items is not JsonArray array) return [];
        var list = new List<JsonNode?>(array.Count);
        for (var i = array.Count - 1; i >= 0; i--)
        {
            list.Add(array[i]);
            array.RemoveAt(i);
        }
        list.Reverse();
        return list;
    }

    private async Task<T> Ensure<T>(Func<Task<IApiResponse<T>>> call, string what, CancellationToken cancellationToken) where T : class =>
        await Send(call, what, notFoundIsNull: false, cancellationToken).ConfigureAwait(false)
        ?? throw ProvincialFailures.Unavailable($"{what}: empty answer");

    private Task<T?> EnsureOrNotFound<T>(Func<Task<IApiResponse<T>>> call, string what, CancellationToken cancellationToken) where T : class =>
        Send(call, what, notFoundIsNull: true, cancellationToken);

    private async Task<T?> Send<T>(Func<Task<IApiResponse<T>>> call, string what, bool notFoundIsNull, CancellationToken cancellationToken) where T : class
    {
        IApiResponse<T> response;
        try
        {
            response = await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (TooLarge(ex) is { } tooLarge)
        {
            throw tooLarge;
        }
        catch (Exception ex) when (ProvincialFailures.IsTransport(ex, cancellationToken))
        {
            throw Log(Describe(ProvincialFailures.FromTransport(ex, _options.Timeout, cancellationToken), what));
        }

        using (response)
        {
            if (TooLarge(response.Error) is { } tooLarge) throw tooLarge;
            if (response.HasRequestError(out var requestError))
                throw Log(Describe(ProvincialFailures.FromTransport(requestError, _options.Timeout, cancellationToken), what));
            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode)
                throw Log(ProvincialFailures.FromStatus(response, what, _time));
            if (response.Error is not null)
                throw Log(ProvincialFailures.Unavailable($"{what}: the answer could not be read as JSON"));
            return response.Content;
        }
    }

    private static ProvincialAnswerTooLargeException? TooLarge(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
            if (e is ProvincialAnswerTooLargeException tooLarge) return tooLarge;
        return null;
    }

    private static Exception Describe(Exception failure, string what) =>
        failure is ExternalSystemUnavailableException unavailable && !unavailable.Reason.StartsWith("token request", StringComparison.Ordinal)
            ? ProvincialFailures.Unavailable($"{what}: {unavailable.Reason}", unavailable.RetryAfter)
            : failure;

    private Exception Log(Exception failure)
    {
        if (failure is ExternalSystemUnavailableException unavailable)
            _logger.LogWarning("Provincial system unavailable: {Reason}", unavailable.Reason);
        return failure;
    }
}
