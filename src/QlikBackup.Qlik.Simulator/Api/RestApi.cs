namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>Maps every REST route of the simulator. Each route must be a METHOD+path in Qlik's endpoint list (tests check it).</summary>
public static class RestApi
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/oauth/token", (HttpContext ctx, Model.SimulatedTenant t) => SimulatorAuth.IssueTokenAsync(ctx, t));
        SpacesApi.Map(app);
        ItemsApi.Map(app);
        AppsApi.Map(app);
        TempContentsApi.Map(app);
        IdentityApi.Map(app);
        AuditsApi.Map(app);
        ThemesApi.Map(app);
        JsonResourcesApi.Map(app);
    }
}
