using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.NationalPortal;

namespace DvcSync.Adapters.Tests.NationalPortal;

public sealed class PortalErrorCodeTests
{
    [Theory]
    [InlineData("0", PortalOutcomeKind.Accepted)]
    [InlineData("00", PortalOutcomeKind.Accepted)]
    [InlineData("-3", PortalOutcomeKind.AlreadyExists)]
    [InlineData("3", PortalOutcomeKind.AlreadyExists)]
    [InlineData("-4", PortalOutcomeKind.NotFound)]
    [InlineData("2", PortalOutcomeKind.InvalidData)]
    [InlineData("5", PortalOutcomeKind.FinalStateConflict)]
    [InlineData("1", PortalOutcomeKind.ConfigurationError)]
    [InlineData("99", PortalOutcomeKind.Transient)]
    [InlineData("-1", PortalOutcomeKind.Transient)]
    [InlineData("42", PortalOutcomeKind.Transient)]
    [InlineData(null, PortalOutcomeKind.Transient)]
    public void Error_codes_map_to_outcomes(string? code, PortalOutcomeKind expected) =>
        Assert.Equal(expected, PortalErrorCodes.Map(code));

    [Theory]
    [InlineData("""{"error_code": 0}""", "0")]
    [InlineData("""{"error_code": -3, "message": "x"}""", "-3")]
    [InlineData("""{"error_code": "00"}""", "00")]
    [InlineData("""{"error_code": {"odd": true}}""", null)]
    public void Error_code_is_read_as_string_or_number(string json, string? expected)
    {
        var reply = JsonSerializer.Deserialize<PortalReply>(json, PortalJson.CreateOptions());
        Assert.NotNull(reply);
        Assert.Equal(expected, reply.ErrorCode);
    }

    [Fact]
    public void Item_errors_keep_their_own_kind_and_inherit_the_reply_kind_when_they_have_none()
    {
        var errors = JsonNode.Parse("""
            [{"MaHoSo": "A", "error_code": "-3", "message": "A đã tồn tại"},
             {"MaHoSo": "B", "error_code": 2, "message": "bad"},
             {"MaHoSo": "C", "message": "no code"},
             "not an object"]
            """);
        var items = PortalErrorCodes.MapItemErrors(errors, PortalOutcomeKind.InvalidData);
        Assert.Equal(3, items.Count);
        Assert.Equal(new PortalItemError("A", PortalOutcomeKind.AlreadyExists, "A đã tồn tại"), items[0]);
        Assert.Equal(PortalOutcomeKind.InvalidData, items[1].Kind);
        Assert.Equal(PortalOutcomeKind.InvalidData, items[2].Kind);
    }

    [Fact]
    public void Requests_leave_out_unused_fields_and_keep_unknown_dossier_fields()
    {
        var dossier = JsonNode.Parse("""{"MaHoSo": "X", "TruongLa": {"a": [1, 2.50]}, "TrangThaiHoSo": 4}""")!.AsObject();
        var request = new PortalServiceRequest { Session = "s", MaDonVi = "000.00.00.H19", Service = "DongBoHoSoMC", IsUpdating = "False", Data = [dossier] };
        var json = JsonSerializer.Serialize(request, PortalJson.CreateOptions());
        Assert.Equal("""{"session":"s","madonvi":"000.00.00.H19","service":"DongBoHoSoMC","isUpdating":"False","data":[{"MaHoSo":"X","TruongLa":{"a":[1,2.50]},"TrangThaiHoSo":4}]}""", json);
        Assert.DoesNotContain("\"s\"", request.ToString());
    }
}
