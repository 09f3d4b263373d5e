using System.Text;
using QlikBackup.Cli;

Console.OutputEncoding = Encoding.UTF8;
return await Cli.RunAsync(args, Console.Out, Console.Error, CliSettings.ForConsole());
