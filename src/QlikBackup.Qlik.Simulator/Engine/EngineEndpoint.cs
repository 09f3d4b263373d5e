using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Engine;

/// <summary>Maps the Engine JSON-RPC WebSocket endpoint (/app/{appId}). Stub: the Engine helper fills this in.</summary>
public static class EngineEndpoint
{
    public static void Map(WebApplication app, SimulatedTenant tenant, SimulatorFaults faults) { }
}
