namespace QlikBackup.Core;
