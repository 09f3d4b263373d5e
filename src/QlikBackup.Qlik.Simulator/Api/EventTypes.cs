namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>Event types the simulator emits (served by /webhooks/event-types and /audits/types).</summary>
public static class EventTypes
{
    public static readonly (string Name, string Title)[] All =
    [
        ("com.qlik.v1.app.created", "App created"),
        ("com.qlik.v1.app.deleted", "App deleted"),
        ("com.qlik.v1.app.data.updated", "App data updated"),
        ("com.qlik.v1.app.exported", "App exported"),
        ("com.qlik.v1.app.published", "App published"),
        ("com.qlik.v1.app.reload.finished", "App reload finished"),
        ("com.qlik.v1.app.object.owner.changed", "App object owner changed"),
        ("com.qlik.v1.reload.finished", "Reload finished"),
        ("com.qlik.space.created", "Space created"),
        ("com.qlik.space.updated", "Space updated"),
        ("com.qlik.space.deleted", "Space deleted"),
        ("com.qlik.space.assignment.created", "Space assignment created"),
        ("com.qlik.space.assignment.updated", "Space assignment updated"),
        ("com.qlik.space.assignment.deleted", "Space assignment deleted"),
        ("com.qlik.v1.user.created", "User created"),
        ("com.qlik.v1.user.updated", "User updated"),
        ("com.qlik.v1.user.deleted", "User deleted"),
        ("com.qlik.v1.group.created", "Group created"),
        ("com.qlik.v1.group.updated", "Group updated"),
        ("com.qlik.v1.group.deleted", "Group deleted"),
        ("com.qlik.v1.api-key.created", "API key created"),
        ("com.qlik.v1.api-key.deleted", "API key deleted"),
        ("com.qlik.v1.reload-task.created", "Reload task created"),
        ("com.qlik.v1.reload-task.updated", "Reload task updated"),
        ("com.qlik.v1.reload-task.deleted", "Reload task deleted"),
        ("com.qlik.v1.automation.created", "Automation created"),
        ("com.qlik.v1.automation.updated", "Automation updated"),
        ("com.qlik.v1.automation.deleted", "Automation deleted"),
        ("com.qlik.v1.automation-connection.created", "Automation connection created"),
        ("com.qlik.v1.automation-connection.updated", "Automation connection updated"),
        ("com.qlik.v1.automation-connection.deleted", "Automation connection deleted"),
        ("com.qlik.v1.data-connection.created", "Data connection created"),
        ("com.qlik.v1.data-connection.updated", "Data connection updated"),
        ("com.qlik.v1.data-connection.deleted", "Data connection deleted"),
        ("com.qlik.v1.webhook.created", "Webhook created"),
        ("com.qlik.v1.webhook.updated", "Webhook updated"),
        ("com.qlik.v1.webhook.deleted", "Webhook deleted"),
        ("com.qlik.v1.theme.created", "Theme created"),
        ("com.qlik.v1.theme.deleted", "Theme deleted"),
        ("com.qlik.v1.identity-provider.created", "Identity provider created"),
        ("com.qlik.v1.identity-provider.updated", "Identity provider updated"),
        ("com.qlik.v1.identity-provider.deleted", "Identity provider deleted"),
        ("com.qlik.v1.data-alert.created", "Data alert created"),
        ("com.qlik.v1.data-alert.updated", "Data alert updated"),
        ("com.qlik.v1.data-alert.deleted", "Data alert deleted"),
        ("com.qlik.v1.sharing-task.created", "Sharing task created"),
        ("com.qlik.v1.sharing-task.updated", "Sharing task updated"),
        ("com.qlik.v1.sharing-task.deleted", "Sharing task deleted"),
    ];

    public static bool IsKnown(string name) => All.Any(e => e.Name == name);
}
