using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Repair;

public static class RepairMessageCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Encode(RepairRequest request) => JsonSerializer.Serialize(request, Options);

    /// <summary>
    /// A batch of repairs as one message (a Functions queue trigger takes one message at a time); a batch of one is
    /// written as a single request, the form every earlier version wrote and reads.
    /// </summary>
    public static string Encode(IReadOnlyList<RepairRequest> requests) =>
        requests.Count == 1 ? Encode(requests[0]) : JsonSerializer.Serialize(new RepairBatchMessage(requests), Options);

    private sealed record RepairBatchMessage(IReadOnlyList<RepairRequest> Batch);

    /// <summary>A message's requests: a batch, or one request as messages of one dossier always were.</summary>
    /// <exception cref="FormatException">The message is not a repair request or batch: it belongs in the poison queue.</exception>
    public static IReadOnlyList<RepairRequest> DecodeBatch(string message)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(message);
        }
        catch (JsonException e)
        {
            throw new FormatException("The repair message is not valid JSON", e);
        }
        if (node is not JsonObject body || !body.TryGetPropertyValue("batch", out var batch)) return [Decode(message)];
        if (batch is not JsonArray { Count: > 0 } items)
            throw new FormatException("The repair message's batch is not a list of requests");
        return items.Select(item => Decode(item?.ToJsonString() ?? "null")).ToList();
    }

    /// <exception cref="FormatException">The message is not a repair request: it belongs in the poison queue.</exception>
    public static RepairRequest Decode(string message)
    {
        RepairRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<RepairRequest>(message, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException("The repair message is not valid JSON", e);
        }
        if (request is null || string.IsNullOrWhiteSpace(request.MaHoSo) || string.IsNullOrWhiteSpace(request.MaDonVi))
            throw new FormatException("The repair message names no MaHoSo and MaDonVi");
        return request with { Reason = RepairReason.Normalise(request.Reason) };
    }
}
