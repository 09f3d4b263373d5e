namespace QlikBackup.Qlik;
