using Refit;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// The portal's sync adapter over HTTP (national-portal.md): two POSTs, JSON both ways, the routing header on every
/// call. Answers come back as <see cref="IApiResponse{T}"/> so that status codes, headers and transport failures
/// reach <see cref="NationalPortalClient"/> as data, never as exceptions (caller cancellation aside).
/// </summary>
internal interface INationalPortalApi
{
    [Post("/auth")]
    Task<IApiResponse<PortalReply>> SignInAsync([Header("dstcode")] string dstCode, [Body] PortalSignInRequest request, CancellationToken cancellationToken);

    [Post("/service")]
    Task<IApiResponse<PortalReply>> CallAsync([Header("dstcode")] string dstCode, [Body] PortalServiceRequest request, CancellationToken cancellationToken);
}
