using DurableTask.AzureStorage;

namespace QlikBackup.LocalHost.Durable;

/// <summary>
/// The gRPC sidecar hands DurableTask.Core events whose Tags are protobuf MapFields. DurableTask.AzureStorage writes
/// queue messages with Newtonsoft type names and then cannot resolve MapField when reading them back, so every
/// sub-orchestration start would be poison. Tags are just string pairs: write and read them as a Dictionary.
/// </summary>
sealed class ProtobufMapTypeBinder : ICustomTypeBinder
{
    static readonly Type Tags = typeof(Dictionary<string, string>);

    public void BindToName(Type serializedType, out string assemblyName, out string typeName)
    {
        Type type = IsProtobufMap(serializedType.FullName) ? Tags : serializedType;
        assemblyName = type.Assembly.GetName().Name!;
        typeName = type.FullName!;
    }

    public Type BindToType(string assemblyName, string typeName) =>
        IsProtobufMap(typeName)
            ? Tags
            : Type.GetType($"{typeName}, {assemblyName}", throwOnError: true)!;

    static bool IsProtobufMap(string? typeName) => typeName?.StartsWith("Google.Protobuf.Collections.MapField`2", StringComparison.Ordinal) == true;
}
