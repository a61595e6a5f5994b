namespace DvcSync.Core.Ports;

/// <summary>
/// The national portal's services as its sync adapter names them (national-portal.md), and what one call of each may
/// carry: the client, the repair and the simulated portal all take them from here.
/// </summary>
public static class PortalServices
{
    public const string LookUp = "TraCuuHoSo";
    public const string SyncDossiers = "DongBoHoSoMC";
    public const string AppendSteps = "CapNhatTienDoHoSoMC";
    public const string GetProcedure = "LayThuTuc";

    /// <summary>Dossiers one <see cref="SyncDossiers"/> call carries at most.</summary>
    public const int MaxDossiersPerBatch = 50;

    /// <summary>Processing steps one <see cref="AppendSteps"/> call carries at most.</summary>
    public const int MaxStepsPerCall = 10;

    public static IReadOnlyList<string> All { get; } = [SyncDossiers, AppendSteps, LookUp, GetProcedure];
}
