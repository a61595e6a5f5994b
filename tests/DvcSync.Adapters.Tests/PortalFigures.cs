using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DvcSync.Application.Telemetry;
using DvcSync.Core.Ports;

namespace DvcSync.Adapters.Tests;

/// <summary>
/// The portal client's figures as its metrics report them, for one harness only: other tests' clients run in the same
/// process meanwhile, and are told apart by their meter factory.
/// </summary>
internal sealed class PortalFigures : IDisposable
{
    private readonly ConcurrentDictionary<(string Instrument, string Tags), long> _sums = new();
    private readonly MeterListener _listener;

    public PortalFigures(IMeterFactory meters)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SyncTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meters)) listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = string.Join(",", tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
            _sums.AddOrUpdate((instrument.Name, key), value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>Service calls through the client, one per method call, by outcome.</summary>
    public long Calls(string service, PortalOutcomeKind outcome) => Sum("dvcsync.portal.calls", $"outcome={outcome},service={service}");

    /// <summary>Every HTTP request sent to the portal: sign-ins, service calls, renewals and retries.</summary>
    public long HttpRequests => Sum("dvcsync.portal.http_requests", "");

    public long SignIns => Sum("dvcsync.portal.sign_ins", "result=succeeded");

    public long FailedSignIns => Sum("dvcsync.portal.sign_ins", "result=failed");

    /// <summary>HTTP 429 answers received from the portal.</summary>
    public long Throttled => Sum("dvcsync.portal.throttled", "");

    private long Sum(string instrument, string tags) => _sums.GetValueOrDefault((instrument, tags));

    public void Dispose() => _listener.Dispose();
}
