using System.Text.Json;
using Spectre.Console;

namespace QlikBackup.Cli.Rendering;

/// <summary>Answers whose shape the CLI does not know (yet): top-level fields as a table, nested values as JSON.</summary>
public static class JsonRenderer
{
    public static void Render(IAnsiConsole console, JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Object } obj)
        {
            console.WriteLine(value is { ValueKind: not JsonValueKind.Undefined } v ? v.GetRawText() : "(no content)");
            return;
        }

        Table table = Format.NewTable("Field", "Value");
        foreach (JsonProperty p in obj.EnumerateObject())
        {
            string text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            table.AddRow(Format.Text(p.Name), Format.Text(text.Length > 200 ? text[..200] + "…" : text));
        }

        console.Write(table);
    }
}
