using System.Text.Json.Nodes;
using Refit;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>
/// The provincial system's read API (provincial-system.md). Bearer tokens are added by
/// <see cref="ProvincialBearerHandler"/>; answers come back as <see cref="IApiResponse{T}"/> so that
/// <see cref="ProvincialSystemClient"/> decides what a status means.
/// </summary>
internal interface IProvincialSystemApi
{
    /// <param name="capNhatTu">Inclusive, ISO 8601 with offset (<c>2025-01-15T00:00:00+07:00</c>).</param>
    /// <param name="capNhatDen">Exclusive, same format.</param>
    [Get("/api/v1/hoso")]
    Task<IApiResponse<ProvincialItemsReply>> GetChangedAsync(
        [Query, AliasAs("capNhatTu")] string capNhatTu,
        [Query, AliasAs("capNhatDen")] string capNhatDen,
        [Query, AliasAs("limit")] int limit,
        [Query, AliasAs("cursor")] string? cursor,
        CancellationToken cancellationToken);

    [Get("/api/v1/hoso/{maHoSo}")]
    Task<IApiResponse<JsonObject>> GetDossierAsync(string maHoSo, CancellationToken cancellationToken);

    [Get("/api/v1/hoso/{maHoSo}/tiendo")]
    Task<IApiResponse<ProvincialItemsReply>> GetStepsAsync(string maHoSo, CancellationToken cancellationToken);

    [Get("/api/v1/donvi")]
    Task<IApiResponse<ProvincialItemsReply>> GetAgenciesAsync(CancellationToken cancellationToken);

    /// <param name="tuNgay">Inclusive, <c>yyyy-MM-dd</c>.</param>
    /// <param name="denNgay">Inclusive, <c>yyyy-MM-dd</c>.</param>
    [Get("/api/v1/thongke/tiepnhan")]
    Task<IApiResponse<ProvincialItemsReply>> GetReceivedCountsAsync(
        [Query, AliasAs("tuNgay")] string tuNgay,
        [Query, AliasAs("denNgay")] string denNgay,
        CancellationToken cancellationToken);
}

/// <summary>OAuth2 client credentials (the province's LGSP gateway works so). Its own HTTP client, without the bearer handler.</summary>
internal interface IProvincialTokenApi
{
    [Post("/connect/token")]
    Task<IApiResponse<ProvincialTokenReply>> RequestTokenAsync(
        [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form,
        CancellationToken cancellationToken);
}
