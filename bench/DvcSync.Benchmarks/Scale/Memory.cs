using System.Globalization;

namespace DvcSync.Benchmarks.Scale;

/// <summary>Resident memory as Linux counts it, from <c>/proc/&lt;pid&gt;/status</c>.</summary>
internal static class ProcStatus
{
    /// <summary>VmHWM: the most resident memory the process ever had.</summary>
    public static double PeakRssMb(int? pid = null) => Read(pid, "VmHWM:");

    /// <summary>VmRSS: resident memory now.</summary>
    public static double RssMb(int? pid = null) => Read(pid, "VmRSS:");

    private static double Read(int? pid, string field)
    {
        var path = pid is { } id ? $"/proc/{id}/status" : "/proc/self/status";
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            // the process is gone
        }
        return double.NaN;
    }
}

/// <summary>
/// Samples the managed heap every few milliseconds on a thread of its own: its size after the last collection (live
/// objects and fragmentation, what a streaming pipeline keeps flat) and everything allocated and not yet collected.
/// </summary>
internal sealed class ManagedHeapSampler : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _peakAfterGc;
    private long _peakAllocated;

    public ManagedHeapSampler(TimeSpan interval)
    {
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                Sample();
                Thread.Sleep(interval);
            }
        }) { IsBackground = true, Name = "heap sampler" };
        _thread.Start();
    }

    public double PeakAfterGcMb => Interlocked.Read(ref _peakAfterGc) / 1048576.0;
    public double PeakAllocatedMb => Interlocked.Read(ref _peakAllocated) / 1048576.0;

    private void Sample()
    {
        var afterGc = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes;
        var allocated = GC.GetTotalMemory(false);
        if (afterGc > Interlocked.Read(ref _peakAfterGc)) Interlocked.Exchange(ref _peakAfterGc, afterGc);
        if (allocated > Interlocked.Read(ref _peakAllocated)) Interlocked.Exchange(ref _peakAllocated, allocated);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        Sample();
    }
}
