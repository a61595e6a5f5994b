using System.Text.Json;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Repair;

public static class RepairMessageCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Encode(RepairRequest request) => JsonSerializer.Serialize(request, Options);

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
