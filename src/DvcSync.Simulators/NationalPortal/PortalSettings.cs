namespace DvcSync.Simulators.NationalPortal;

/// <summary>Sign-in data and behaviour switches of the portal simulator.</summary>
public sealed class PortalSettings
{
    public string Username { get; set; } = "dvcsync";
    public string Password { get; set; } = "dvcsync-demo";
    public string DstCode { get; set; } = "H19";
    public string MaDonVi { get; set; } = "000.00.00.H19";
    public int RateLimitPerSecond { get; set; } = 20;
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromMinutes(30);
    public string SuccessCode { get; set; } = "0";
    public string AlreadyExistsCode { get; set; } = "-3";
    public bool ErrorCodesAsNumbers { get; set; }
    public bool QuoteApplicant { get; set; }
}
