using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Seeding;

/// <summary>What a seeded tenant's callers need to know (secrets are also in the tenant state).</summary>
public sealed record DemoTenantInfo(string AdminUserId, string OAuthClientId, string OAuthClientSecret, IReadOnlyDictionary<string, string> ApiKeyTokensByUserId);

/// <summary>
/// Generates a realistic tenant from a <see cref="DemoTenantSpec"/>: users, groups, spaces with assignments, apps with
/// sheets/charts/stories/bookmarks/master items/variables and private objects of several owners, published copies in
/// managed spaces, reload tasks with RRULE schedules, automations, connections, webhooks, themes, API keys, an IdP,
/// data alerts, sharing tasks and "app created" audits. Deterministic: ids, names, times and bytes come from the seed.
/// </summary>
public static class DemoTenantSeeder
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] FirstNames = ["Ada", "Bo", "Cleo", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jia", "Kai", "Lea", "Max", "Nora", "Oli", "Pia"];
    private static readonly string[] Topics = ["Sales", "Finance", "Supply", "HR", "Marketing", "Support", "Logistics", "Risk"];
    private static readonly string[] Charts = ["barchart", "linechart", "table", "kpi", "piechart", "filterpane", "combochart", "scatterplot"];
    private static readonly string[] Fields = ["Region", "Product", "Customer", "Year", "Month", "Channel"];

    /// <summary>A small valid theme archive (tests upload it through POST /themes).</summary>
    public static byte[] ThemeZipForTests(string qextName = "test-theme") => Generator.ThemeZip(qextName, "Test theme", "1.0.0", 0);

    public static DemoTenantInfo Seed(SimulatedTenant tenant, DemoTenantSpec spec)
        => tenant.Write(SimulatedActor.System, c => new Generator(c.State, spec).Run());

    private sealed class Generator(TenantState s, DemoTenantSpec spec)
    {
        private readonly Random _rng = new(spec.Seed);
        private DateTimeOffset _clock = Epoch;
        private readonly List<SimUser> _people = [];
        private SimUser _admin = null!;

        public DemoTenantInfo Run()
        {
            s.Tenant.Id = "sim" + Hex(21);
            s.Tenant.Name = $"demo-{spec.Seed}";
            s.Tenant.Hostname = $"demo-{spec.Seed}.eu.qlikcloud.com";
            s.Tenant.CreatedAt = Epoch;
            SeedUsersAndGroups();
            var (clientId, secret) = SeedOAuthClient();
            var keys = SeedApiKeys();
            var spaces = SeedSpaces();
            var sharedApps = new List<SimApp>();
            foreach (var space in spaces.Where(x => x.Type == SpaceTypes.Shared))
                for (var i = 0; i < spec.AppsPerSpace; i++)
                    sharedApps.Add(NewApp(space, OwnerIn(space), published: false));
            var n = 0;
            foreach (var space in spaces.Where(x => x.Type == SpaceTypes.Managed))
                for (var i = 0; i < spec.AppsPerSpace && sharedApps.Count > 0; i++)
                    Publish(sharedApps[n++ % sharedApps.Count], space);
            var others = _people.Where(p => p != _admin).ToList();
            for (var i = 0; i < spec.PersonalApps && others.Count > 0; i++)
                NewApp(null, others[i % others.Count], published: false);
            SeedDataConnections(spaces);
            SeedReloadTasks(sharedApps);
            var automationConnections = SeedAutomationConnections(spaces);
            SeedAutomations(automationConnections, sharedApps);
            SeedWebhooks();
            SeedThemes();
            SeedIdentityProviders();
            SeedAlertsAndSharing(sharedApps);
            return new DemoTenantInfo(_admin.Id, clientId, secret, keys);
        }

        // ---- identity ----

        private void SeedUsersAndGroups()
        {
            _admin = AddUser("Ada Admin", ["TenantAdmin", "AnalyticsAdmin", "DataAdmin", "Developer"]);
            for (var i = 1; i <= spec.Users; i++)
            {
                var name = $"{FirstNames[i % FirstNames.Length]} {Topics[i % Topics.Length]}{(i >= FirstNames.Length ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
                AddUser(name, i % 2 == 1 ? ["Developer", "SharedSpaceCreator", "ManagedSpaceCreator"] : ["SharedSpaceCreator"]);
            }
            for (var g = 0; g < spec.Groups; g++)
            {
                var group = new SimGroup
                {
                    Id = Hex(24), Name = $"{Topics[g % Topics.Length]} team{(g >= Topics.Length ? g.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}",
                    ProviderType = "idp", AssignedRoles = g == 0 ? ["DataServicesContributor"] : [], CreatedAt = Tick(), LastUpdatedAt = _clock,
                };
                s.Groups.Add(group);
            }
            for (var i = 0; i < _people.Count && s.Groups.Count > 0; i++)
                _people[i].AssignedGroups.Add(s.Groups[i % s.Groups.Count].Id);
        }

        private SimUser AddUser(string name, List<string> roles)
        {
            var login = name.ToLowerInvariant().Replace(' ', '.');
            var user = new SimUser
            {
                Id = Hex(24), Name = name, Email = $"{login}@demo.example", Subject = $"auth0|{Hex(16)}",
                AssignedRoles = roles, CreatedAt = Tick(), LastUpdatedAt = _clock,
            };
            s.Users.Add(user);
            _people.Add(user);
            return user;
        }

        private (string Id, string Secret) SeedOAuthClient()
        {
            var client = new SimOAuthClient
            {
                ClientId = Hex(32), ClientSecret = Hex(64), ClientName = "Backup service", UserId = _admin.Id,
                AllowedGrantTypes = ["client_credentials", SimOAuthClient.ImpersonationGrant], CreatedAt = Tick(),
            };
            s.OAuthClients.Add(client);
            return (client.ClientId, client.ClientSecret);
        }

        private Dictionary<string, string> SeedApiKeys()
        {
            var tokens = new Dictionary<string, string>();
            for (var i = 0; i < spec.ApiKeys && _people.Count > 1; i++)
            {
                var user = _people[1 + i % (_people.Count - 1)];
                var key = new SimApiKey
                {
                    Id = Hex(24), Token = "simkey_" + Hex(40), Sub = user.Id, Description = $"{user.Name} automation key",
                    Created = Tick(), LastUpdated = _clock, Expiry = _clock.AddYears(5), CreatedByUser = user.Id,
                };
                s.ApiKeys.Add(key);
                tokens.TryAdd(user.Id, key.Token);
            }
            return tokens;
        }

        // ---- spaces and apps ----

        private List<SimSpace> SeedSpaces()
        {
            var spaces = new List<SimSpace>();
            void Add(string type, int count, string label)
            {
                for (var i = 0; i < count; i++)
                {
                    var nonAdmins = _people.Where(p => p != _admin).ToList();
                    var owner = nonAdmins.Count > 0 ? nonAdmins[spaces.Count % nonAdmins.Count] : _admin;
                    var space = new SimSpace
                    {
                        Id = Hex(24), Name = $"{Topics[spaces.Count % Topics.Length]} {label} {i + 1}", Type = type,
                        Description = $"Seeded {type} space", OwnerId = owner.Id, CreatedBy = owner.Id, CreatedAt = Tick(), UpdatedAt = _clock,
                    };
                    spaces.Add(space);
                    s.Spaces.Add(space);
                    SeedAssignments(space);
                }
            }
            Add(SpaceTypes.Shared, spec.SharedSpaces, "Shared");
            Add(SpaceTypes.Managed, spec.ManagedSpaces, "Managed");
            Add(SpaceTypes.Data, spec.DataSpaces, "Data");
            return spaces;
        }

        private void SeedAssignments(SimSpace space)
        {
            var roles = SpacesApi.AssignableRoles[space.Type];
            var members = _people.Where(p => p.Id != space.OwnerId && p != _admin).OrderBy(_ => _rng.Next()).Take(3).ToList();
            foreach (var m in members)
                AddAssignment(space, "user", m.Id, space.Type == SpaceTypes.Data ? ["consumer"] : [roles[_rng.Next(roles.Length)], "consumer"]);
            if (s.Groups.Count > 0)
                AddAssignment(space, "group", s.Groups[_rng.Next(s.Groups.Count)].Id, ["consumer"]);
        }

        private void AddAssignment(SimSpace space, string type, string assigneeId, List<string> roles) => s.SpaceAssignments.Add(new SimSpaceAssignment
        {
            Id = Hex(24), SpaceId = space.Id, Type = type, AssigneeId = assigneeId, Roles = roles.Distinct().ToList(),
            CreatedAt = Tick(), CreatedBy = space.OwnerId, UpdatedAt = _clock, UpdatedBy = space.OwnerId,
        });

        private SimUser OwnerIn(SimSpace space)
        {
            var producers = s.SpaceAssignments.Where(a => a.SpaceId == space.Id && a.Type == "user" && a.Roles.Contains("producer")).Select(a => a.AssigneeId).ToList();
            var ownerId = producers.Count > 0 && _rng.Next(2) == 0 ? producers[0] : space.OwnerId;
            return _people.First(p => p.Id == ownerId);
        }

        private SimApp NewApp(SimSpace? space, SimUser owner, bool published)
        {
            var topic = Topics[s.Apps.Count % Topics.Length];
            var name = $"{topic} analysis {s.Apps.Count + 1}";
            var created = Tick();
            var app = new SimApp
            {
                Id = Guid(), Name = name, Description = $"Seeded {topic.ToLowerInvariant()} app", OwnerId = owner.Id, SpaceId = space?.Id,
                Published = published, CreatedDate = created, ModifiedDate = created.AddHours(1), LastReloadTime = created.AddMinutes(30),
            };
            var doc = app.Document;
            doc.AppProperties = AppsApi.NewAppProperties(name);
            doc.AppProperties["qLastReloadTime"] = Http.Fmt(app.LastReloadTime);
            doc.Script = Script(topic, space);
            doc.DataPayload = Bytes(spec.QvfDataBytes);
            // Objects of the app owner are visible to everyone who can open the app; in a personal app they stay private.
            var ownerPublished = space is not null;
            for (var i = 0; i < spec.SheetsPerApp; i++) AddSheet(doc, owner.Id, $"{topic} sheet {i + 1}", ownerPublished, created);
            for (var i = 0; i < spec.StoriesPerApp; i++) AddStory(doc, owner.Id, $"{topic} story {i + 1}", ownerPublished, created);
            for (var i = 0; i < spec.BookmarksPerApp; i++) AddBookmark(doc, owner.Id, $"{topic} bookmark {i + 1}", ownerPublished, created);
            for (var i = 0; i < spec.MeasuresPerApp; i++) AddMeasure(doc, owner.Id, i, created);
            for (var i = 0; i < spec.DimensionsPerApp; i++) AddDimension(doc, owner.Id, i, created);
            for (var i = 0; i < spec.MasterVisualizationsPerApp; i++) AddMasterVisualization(doc, owner.Id, i, created);
            for (var i = 0; i < spec.VariablesPerApp; i++) AddVariable(doc, i, created);
            var privateOwners = _people.Where(p => p.Id != owner.Id && p != _admin).OrderBy(_ => _rng.Next()).Take(space is null ? 0 : spec.PrivateObjectOwnersPerApp).ToList();
            foreach (var p in privateOwners)
                for (var i = 0; i < spec.PrivateObjectsPerOwner; i++)
                {
                    var title = $"{p.Name.Split(' ')[0]}'s private {(i % 3) switch { 0 => "sheet", 1 => "bookmark", _ => "story" }} {i + 1}";
                    switch (i % 3)
                    {
                        case 0: AddSheet(doc, p.Id, title, false, created); break;
                        case 1: AddBookmark(doc, p.Id, title, false, created); break;
                        default: AddStory(doc, p.Id, title, false, created); break;
                    }
                }
            app.ScriptVersions.Add(new SimScriptVersion { ScriptId = Hex(24), Script = doc.Script, VersionMessage = "Initial version", ModifiedTime = created, ModifierId = owner.Id });
            s.Apps.Add(app);
            Audit("com.qlik.v1.app.created", owner.Id, app, created);
            return app;
        }

        private void Publish(SimApp source, SimSpace managed)
        {
            var at = Tick();
            var doc = source.Document.DeepClone();
            foreach (var o in doc.Objects.Values.Where(o => !o.Published).ToList()) doc.Objects.Remove(o.Id);
            foreach (var o in doc.Objects.Values.Where(o => o.ObjectClass != SimObjectClass.Variable))
            {
                o.Approved = true;
                o.PublishTime = at;
            }
            var app = new SimApp
            {
                Id = Guid(), Name = source.Name, Description = source.Description, OwnerId = source.OwnerId, SpaceId = managed.Id,
                Published = true, PublishTime = at, OriginAppId = source.Id, CreatedDate = at, ModifiedDate = at, LastReloadTime = source.LastReloadTime, Document = doc,
            };
            // A community sheet (published, not approved) of a space member, as Qlik managed spaces allow.
            var member = s.SpaceAssignments.FirstOrDefault(a => a.SpaceId == managed.Id && a.Type == "user");
            if (member is not null) AddSheet(doc, member.AssigneeId, "Community sheet", true, at, approved: false);
            app.ScriptVersions.Add(new SimScriptVersion { ScriptId = Hex(24), Script = doc.Script, VersionMessage = "Published", ModifiedTime = at, ModifierId = source.OwnerId });
            s.Apps.Add(app);
            Audit("com.qlik.v1.app.published", source.OwnerId, app, at);
        }

        private void Audit(string type, string userId, SimApp app, DateTimeOffset at) => s.Audits.Add(new SimAuditEvent
        {
            Id = Hex(24), EventId = Guid(), EventType = type, EventTime = at, Source = "com.qlik/engine", UserId = userId, TenantId = s.Tenant.Id,
            Data = new JsonObject { ["id"] = app.Id, ["name"] = app.Name, ["spaceId"] = app.SpaceId, ["ownerId"] = app.OwnerId },
            Extensions = new JsonObject
            {
                ["actor"] = new JsonObject { ["sub"] = userId, ["subType"] = "user" },
                ["tenantId"] = s.Tenant.Id, ["userId"] = userId, ["ownerId"] = app.OwnerId, ["spaceId"] = app.SpaceId, ["topLevelResourceId"] = app.Id,
            },
        });

        private string Script(string topic, SimSpace? space)
        {
            var lib = space is null ? "DataFiles" : $"{space.Name}:DataFiles";
            return $"///$tab Main\r\nSET ThousandSep=',';\r\nSET DecimalSep='.';\r\nSET DateFormat='YYYY-MM-DD';\r\n" +
                   $"///$tab {topic}\r\n{topic}:\r\nLOAD Region, Product, Customer, Year, Month, Channel, Sales, Cost\r\nFROM [lib://{lib}/{topic.ToLowerInvariant()}_{Hex(6)}.qvd] (qvd);\r\n";
        }

        // ---- app objects ----

        private SimulatedObject AddObject(SimulatedAppDocument doc, SimObjectClass cls, string qType, string? owner, bool published, DateTimeOffset at, JsonObject props, bool approved = false)
        {
            var id = (props["qProperty"] ?? props)["qInfo"]!["qId"]!.GetValue<string>();
            var o = new SimulatedObject
            {
                Id = id, ObjectClass = cls, QType = qType, OwnerId = owner, Published = published, Approved = published && approved,
                PublishTime = published ? at : null, CreatedDate = at, ModifiedDate = at.AddMinutes(_rng.Next(1, 600)), Properties = props,
            };
            doc.Objects[id] = o;
            return o;
        }

        private static JsonObject Info(string id, string type) => new() { ["qId"] = id, ["qType"] = type };

        private static JsonObject Meta(string title, string description = "") => new() { ["title"] = title, ["description"] = description, ["tags"] = new JsonArray() };

        private void AddSheet(SimulatedAppDocument doc, string owner, string title, bool published, DateTimeOffset at, bool approved = false)
        {
            var id = QId();
            var children = new JsonArray();
            var cells = new JsonArray();
            for (var i = 0; i < spec.ChartsPerSheet; i++)
            {
                var chartId = QId();
                var type = Charts[_rng.Next(Charts.Length)];
                children.Add(new JsonObject { ["qProperty"] = Chart(chartId, type, $"{title} – {type} {i + 1}"), ["qChildren"] = new JsonArray(), ["qEmbeddedSnapshotRef"] = null });
                cells.Add(new JsonObject { ["name"] = chartId, ["type"] = type, ["col"] = (i % 2) * 12, ["row"] = i / 2 * 6, ["colspan"] = 12, ["rowspan"] = 6 });
            }
            var prop = new JsonObject
            {
                ["qInfo"] = Info(id, "sheet"),
                ["qMetaDef"] = Meta(title, "Seeded sheet"),
                ["rank"] = doc.Objects.Count,
                ["thumbnail"] = new JsonObject { ["qStaticContentUrlDef"] = new JsonObject() },
                ["columns"] = 24,
                ["rows"] = 12,
                ["cells"] = cells,
                ["qChildListDef"] = new JsonObject { ["qData"] = new JsonObject { ["title"] = "/title" } },
            };
            AddObject(doc, SimObjectClass.GenericObject, "sheet", owner, published, at, Tree(prop, children), approved);
        }

        private JsonObject Chart(string id, string type, string title) => new()
        {
            ["qInfo"] = Info(id, type),
            ["visualization"] = type,
            ["title"] = title,
            ["showTitles"] = true,
            ["qHyperCubeDef"] = new JsonObject
            {
                ["qDimensions"] = new JsonArray(new JsonObject { ["qDef"] = new JsonObject { ["qFieldDefs"] = new JsonArray(Fields[_rng.Next(Fields.Length)]) } }),
                ["qMeasures"] = new JsonArray(new JsonObject { ["qDef"] = new JsonObject { ["qDef"] = $"Sum({(_rng.Next(2) == 0 ? "Sales" : "Cost")})" } }),
                ["qInitialDataFetch"] = new JsonArray(new JsonObject { ["qWidth"] = 2, ["qHeight"] = 50 }),
            },
        };

        private static JsonObject Tree(JsonObject property, JsonArray children) => new() { ["qProperty"] = property, ["qChildren"] = children, ["qEmbeddedSnapshotRef"] = null };

        private void AddStory(SimulatedAppDocument doc, string owner, string title, bool published, DateTimeOffset at)
        {
            var slides = new JsonArray();
            for (var i = 0; i < spec.SlidesPerStory; i++)
            {
                var item = new JsonObject
                {
                    ["qProperty"] = new JsonObject
                    {
                        ["qInfo"] = Info(QId(), "slideitem"),
                        ["visualization"] = "text",
                        ["visualizationType"] = "",
                        ["style"] = new JsonObject { ["text"] = $"Slide {i + 1} of {title}" },
                        ["position"] = new JsonObject { ["top"] = "10%", ["left"] = "10%", ["width"] = "80%", ["height"] = "20%", ["z-index"] = 1 },
                    },
                    ["qChildren"] = new JsonArray(),
                    ["qEmbeddedSnapshotRef"] = null,
                };
                var slide = new JsonObject
                {
                    ["qInfo"] = Info(QId(), "slide"),
                    ["qChildListDef"] = new JsonObject { ["qData"] = new JsonObject { ["title"] = "/title" } },
                };
                slides.Add(Tree(slide, new JsonArray(item)));
            }
            var prop = new JsonObject
            {
                ["qInfo"] = Info(QId(), "story"),
                ["qMetaDef"] = Meta(title, "Seeded story"),
                ["rank"] = doc.Objects.Count,
                ["thumbnail"] = new JsonObject { ["qStaticContentUrlDef"] = new JsonObject() },
                ["qChildListDef"] = new JsonObject { ["qData"] = new JsonObject { ["title"] = "/title" } },
            };
            AddObject(doc, SimObjectClass.GenericObject, "story", owner, published, at, Tree(prop, slides));
        }

        private void AddBookmark(SimulatedAppDocument doc, string owner, string title, bool published, DateTimeOffset at)
        {
            var field = Fields[_rng.Next(Fields.Length)];
            var value = $"{field} {_rng.Next(1, 9)}";
            var props = new JsonObject
            {
                ["qInfo"] = Info(Guid(), "bookmark"),
                ["qMetaDef"] = Meta(title, "Seeded bookmark"),
                ["creationDate"] = Http.Fmt(at),
                ["sheetId"] = doc.Objects.Values.FirstOrDefault(o => o.QType == "sheet")?.Id,
                ["selectionFields"] = field,
                ["qBookmark"] = new JsonObject
                {
                    ["qStateData"] = new JsonArray(new JsonObject
                    {
                        ["qStateName"] = "$",
                        ["qFieldItems"] = new JsonArray(new JsonObject
                        {
                            ["qDef"] = new JsonObject { ["qName"] = field, ["qType"] = "PRESENT" },
                            ["qSelectInfo"] = new JsonObject { ["qTextSearch"] = "", ["qNumberFormat"] = new JsonObject() },
                            ["qValues"] = new JsonArray(new JsonObject { ["qText"] = value, ["qIsNumeric"] = false, ["qNumber"] = 0 }),
                            ["qExcludedValues"] = new JsonArray(),
                        }),
                    }),
                    ["qVariableItems"] = new JsonArray(),
                    ["qPatches"] = new JsonArray(),
                },
            };
            AddObject(doc, SimObjectClass.Bookmark, "bookmark", owner, published, at, props);
        }

        private void AddMeasure(SimulatedAppDocument doc, string owner, int i, DateTimeOffset at)
        {
            var what = i % 2 == 0 ? "Sales" : "Cost";
            var props = new JsonObject
            {
                ["qInfo"] = Info(QId(), "measure"),
                ["qMeasure"] = new JsonObject
                {
                    ["qLabel"] = $"Total {what} {i + 1}",
                    ["qDef"] = $"Sum({what})",
                    ["qGrouping"] = "N",
                    ["qExpressions"] = new JsonArray(),
                    ["qActiveExpression"] = 0,
                    ["qLabelExpression"] = "",
                    ["qNumFormat"] = new JsonObject { ["qType"] = "F", ["qnDec"] = 2, ["qUseThou"] = 1, ["qFmt"] = "#,##0.00", ["qDec"] = ".", ["qThou"] = "," },
                },
                ["qMetaDef"] = Meta($"Total {what} {i + 1}", $"Sum of {what}"),
            };
            AddObject(doc, SimObjectClass.Measure, "measure", owner, true, at, props);
        }

        private void AddDimension(SimulatedAppDocument doc, string owner, int i, DateTimeOffset at)
        {
            var field = Fields[i % Fields.Length];
            var props = new JsonObject
            {
                ["qInfo"] = Info(QId(), "dimension"),
                ["qDim"] = new JsonObject
                {
                    ["qGrouping"] = "N",
                    ["qFieldDefs"] = new JsonArray(field),
                    ["qFieldLabels"] = new JsonArray(field),
                    ["title"] = field,
                    ["qLabelExpression"] = "",
                },
                ["qMetaDef"] = Meta(field, $"{field} dimension"),
            };
            AddObject(doc, SimObjectClass.Dimension, "dimension", owner, true, at, props);
        }

        private void AddMasterVisualization(SimulatedAppDocument doc, string owner, int i, DateTimeOffset at)
        {
            var chart = Chart(QId(), Charts[i % Charts.Length], $"Master chart {i + 1}");
            chart["qInfo"]!["qType"] = "masterobject";
            chart["qMetaDef"] = Meta($"Master chart {i + 1}", "Seeded master visualization");
            AddObject(doc, SimObjectClass.GenericObject, "masterobject", owner, true, at, Tree(chart, new JsonArray()));
        }

        private void AddVariable(SimulatedAppDocument doc, int i, DateTimeOffset at)
        {
            var props = new JsonObject
            {
                ["qInfo"] = Info(QId(), "variable"),
                ["qName"] = $"vThreshold{i + 1}",
                ["qDefinition"] = $"={(i + 1) * 100}",
                ["qComment"] = "Seeded variable",
                ["qIncludeInBookmark"] = false,
                ["qMetaDef"] = new JsonObject(),
            };
            AddObject(doc, SimObjectClass.Variable, "variable", null, true, at, props);
        }

        // ---- other resources ----

        private void SeedDataConnections(List<SimSpace> spaces)
        {
            foreach (var space in spaces.Where(x => x.Type != SpaceTypes.Managed))
            {
                AddDataConnection(space, "DataFiles", "qix-datafiles.exe", $"qix-datafiles.exe;path={space.Name}:DataFiles;");
                for (var i = 0; i < spec.DataConnectionsPerSpace; i++)
                    AddDataConnection(space, $"{space.Name.Split(' ')[0]} DB {i + 1}", "QvOdbcConnectorPackage.exe",
                        $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db{i + 1}.demo.example;port=5432;database=dw;\"");
            }
        }

        private void AddDataConnection(SimSpace space, string name, string type, string connect)
        {
            var at = Http.Fmt(Tick());
            s.Resource(ResourceKinds.DataConnections).Add(new JsonObject
            {
                ["qID"] = Guid(), ["qName"] = name, ["qType"] = type, ["qConnectStatement"] = connect, ["qLogOn"] = "0",
                ["qSeparateCredentials"] = false, ["qArchitecture"] = 0, ["space"] = space.Id, ["user"] = space.OwnerId, ["datasourceID"] = type == "qix-datafiles.exe" ? "DataFiles" : "postgres",
                ["tenantId"] = s.Tenant.Id, ["created"] = at, ["updated"] = at, ["privileges"] = new JsonArray("read", "update", "delete", "list"),
            });
        }

        private void SeedReloadTasks(List<SimApp> apps)
        {
            string[] rules = ["RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0;BYSECOND=0", "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;BYHOUR=5;BYMINUTE=30;BYSECOND=0", "RRULE:FREQ=HOURLY;INTERVAL=4;BYMINUTE=15;BYSECOND=0"];
            for (var i = 0; i < spec.ReloadTasks && apps.Count > 0; i++)
            {
                var app = apps[i % apps.Count];
                var at = Tick();
                s.Resource(ResourceKinds.ReloadTasks).Add(new JsonObject
                {
                    ["id"] = Hex(24), ["appId"] = app.Id, ["spaceId"] = app.SpaceId, ["userId"] = app.OwnerId, ["tenantId"] = s.Tenant.Id,
                    ["timeZone"] = i % 2 == 0 ? "Europe/Stockholm" : "UTC", ["recurrence"] = new JsonArray(rules[i % rules.Length]),
                    ["startDateTime"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ["endDateTime"] = "",
                    ["partial"] = false, ["autoReload"] = false, ["autoReloadPartial"] = false, ["type"] = "scheduled_reload",
                    ["state"] = i % 5 == 4 ? "Disabled" : "Enabled", ["disabledCode"] = "", ["log"] = "",
                    ["lastExecutionTime"] = Http.Fmt(at.AddDays(1)), ["nextExecutionTime"] = Http.Fmt(at.AddDays(2)),
                });
            }
        }

        private List<JsonObject> SeedAutomationConnections(List<SimSpace> spaces)
        {
            var list = new List<JsonObject>();
            for (var i = 0; i < spec.AutomationConnections; i++)
            {
                var owner = _people[i % _people.Count];
                var at = Http.Fmt(Tick());
                var c = new JsonObject
                {
                    ["id"] = Guid(), ["name"] = $"{Topics[i % Topics.Length]} REST connection", ["connectorId"] = Guid(), ["ownerId"] = owner.Id,
                    ["spaceId"] = spaces.FirstOrDefault(x => x.Type == SpaceTypes.Shared)?.Id, ["isConnected"] = true, ["tenantId"] = s.Tenant.Id,
                    ["params"] = new JsonArray(new JsonObject { ["name"] = "baseUrl", ["value"] = $"https://api{i}.demo.example" }, new JsonObject { ["name"] = "apiToken", ["value"] = Hex(20) }),
                    ["createdAt"] = at, ["updatedAt"] = at,
                };
                s.Resource(ResourceKinds.AutomationConnections).Add(c);
                list.Add(c);
            }
            return list;
        }

        private void SeedAutomations(List<JsonObject> connections, List<SimApp> apps)
        {
            for (var i = 0; i < spec.Automations; i++)
            {
                var owner = _people[(i + 1) % _people.Count];
                var at = Http.Fmt(Tick());
                var scheduled = i % 2 == 0;
                var blocks = new JsonArray(
                    new JsonObject { ["id"] = Guid(), ["type"] = "StartBlock", ["name"] = "Start", ["x"] = 0, ["y"] = 0 },
                    new JsonObject
                    {
                        ["id"] = Guid(), ["type"] = "EndpointBlock", ["name"] = "doReload", ["x"] = 0, ["y"] = 120, ["endpoint"] = "qlik-cloud/do-reload",
                        ["inputs"] = new JsonArray(new JsonObject { ["name"] = "appId", ["value"] = apps.Count > 0 ? apps[i % apps.Count].Id : "" }),
                        ["connectionId"] = connections.Count > 0 ? connections[i % connections.Count].Str("id") : null,
                    });
                s.Resource(ResourceKinds.Automations).Add(new JsonObject
                {
                    ["id"] = Hex(24), ["name"] = $"{Topics[i % Topics.Length]} nightly flow {i + 1}", ["description"] = "Seeded automation",
                    ["state"] = "available", ["runMode"] = scheduled ? "scheduled" : "manual", ["ownerId"] = owner.Id,
                    // Qlik keeps automations in spaces: each sits in the space of the app it reloads.
                    ["spaceId"] = apps.Count > 0 ? apps[i % apps.Count].SpaceId : null,
                    ["schedules"] = scheduled
                        ? new JsonArray(new JsonObject { ["startAt"] = at, ["stopAt"] = "", ["interval"] = 1440, ["timezone"] = "Europe/Stockholm" })
                        : new JsonArray(),
                    ["workspace"] = new JsonObject { ["blocks"] = blocks, ["variables"] = new JsonArray(), ["version"] = 3 },
                    ["executionToken"] = Hex(40), ["lastRunStatus"] = "finished", ["lastRunAt"] = at,
                    ["connectorIds"] = new JsonArray(), ["endpointIds"] = new JsonArray(), ["snippetIds"] = new JsonArray(),
                    ["createdAt"] = at, ["updatedAt"] = at, ["tenantId"] = s.Tenant.Id,
                });
            }
        }

        private void SeedWebhooks()
        {
            for (var i = 0; i < spec.Webhooks; i++)
            {
                var at = Http.Fmt(Tick());
                s.Resource(ResourceKinds.Webhooks).Add(new JsonObject
                {
                    ["id"] = Hex(24), ["name"] = $"Change feed {i + 1}", ["description"] = "Seeded webhook",
                    ["url"] = spec.WebhookUrl ?? $"http://127.0.0.1:9/hooks/{i + 1}", ["enabled"] = spec.WebhookUrl is not null,
                    ["eventTypes"] = new JsonArray("com.qlik.v1.app.created", "com.qlik.v1.app.deleted", "com.qlik.app.deleted", "com.qlik.app.softdeleted", "com.qlik.v1.app.data.updated", "com.qlik.v1.app.reload.finished"),
                    ["secret"] = Hex(32), ["level"] = "tenant", ["origin"] = "api", ["checkCertificateRevocation"] = true, ["headers"] = new JsonObject(),
                    ["ownerId"] = _admin.Id, ["createdByUserId"] = _admin.Id, ["updatedByUserId"] = _admin.Id, ["createdAt"] = at, ["updatedAt"] = at, ["tenantId"] = s.Tenant.Id,
                });
            }
        }

        private void SeedThemes()
        {
            for (var i = 0; i < spec.Themes; i++)
            {
                var qextName = $"demo-theme-{i + 1}";
                var at = Tick();
                s.Themes.Add(new SimTheme
                {
                    Id = Guid(), Name = $"Demo theme {i + 1}", QextName = qextName, Description = "Seeded theme", Version = $"1.{i}.0", Author = "Demo",
                    CreatedAt = at, UpdatedAt = at, Zip = ThemeZip(qextName, $"Demo theme {i + 1}", $"1.{i}.0", i),
                });
            }
        }

        /// <summary>A theme archive (manifest + theme.json), with fixed entry times so the bytes are deterministic.</summary>
        public static byte[] ThemeZip(string qextName, string name, string version, int variant)
        {
            using var ms = new MemoryStream();
            using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            {
                void Entry(string path, string text)
                {
                    var e = zip.CreateEntry(path, CompressionLevel.Optimal);
                    e.LastWriteTime = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
                    using var w = new StreamWriter(e.Open(), new UTF8Encoding(false));
                    w.Write(text);
                }
                Entry($"{qextName}.qext", new JsonObject { ["name"] = name, ["type"] = "theme", ["version"] = version, ["author"] = "Demo", ["description"] = "Seeded theme" }.ToJsonString());
                Entry("theme.json", new JsonObject
                {
                    ["_inherit"] = true,
                    ["color"] = variant % 2 == 0 ? "#404040" : "#1a2b3c",
                    ["palettes"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["name"] = "Demo", ["scale"] = new JsonArray("#26a0a7", "#ec983d", "#cbc3e3") }) },
                }.ToJsonString());
            }
            return ms.ToArray();
        }

        private void SeedIdentityProviders()
        {
            for (var i = 0; i < spec.IdentityProviders; i++)
            {
                var at = Http.Fmt(Tick());
                s.Resource(ResourceKinds.IdentityProviders).Add(new JsonObject
                {
                    ["id"] = Hex(24), ["provider"] = "generic", ["protocol"] = "OIDC", ["interactive"] = true, ["active"] = i == 0,
                    ["description"] = "Seeded OIDC provider", ["tenantIds"] = new JsonArray(s.Tenant.Id), ["clockToleranceSec"] = 5, ["createNewUsersOnLogin"] = true,
                    ["options"] = new JsonObject
                    {
                        ["discoveryUrl"] = "https://login.demo.example/.well-known/openid-configuration", ["clientId"] = Hex(16), ["clientSecret"] = Hex(32),
                        ["realm"] = "demo", ["claimsMapping"] = new JsonObject { ["sub"] = new JsonArray("sub"), ["name"] = new JsonArray("name"), ["email"] = new JsonArray("email") },
                    },
                    ["meta"] = new JsonObject(), ["created"] = at, ["lastUpdated"] = at,
                });
            }
        }

        private void SeedAlertsAndSharing(List<SimApp> apps)
        {
            for (var i = 0; i < spec.DataAlerts && apps.Count > 0; i++)
            {
                var app = apps[i % apps.Count];
                var at = Http.Fmt(Tick());
                s.Resource(ResourceKinds.DataAlerts).Add(new JsonObject
                {
                    ["id"] = Hex(24), ["name"] = $"{app.Name} threshold", ["description"] = "Seeded alert", ["appId"] = app.Id,
                    ["conditionId"] = Hex(24), ["bookmarkId"] = app.Document.Objects.Values.FirstOrDefault(o => o.QType == "bookmark" && o.Published)?.Id,
                    ["sheetId"] = app.Document.Objects.Values.FirstOrDefault(o => o.QType == "sheet" && o.Published)?.Id,
                    ["ownerId"] = app.OwnerId, ["enabled"] = true, ["status"] = "ACTIVE", ["triggerType"] = "RELOAD",
                    ["recipients"] = new JsonObject { ["userIds"] = new JsonArray(new JsonObject { ["value"] = app.OwnerId, ["enabled"] = true }) },
                    ["throttling"] = new JsonObject { ["capacity"] = 1, ["recharge"] = 86400000 },
                    ["tenantId"] = s.Tenant.Id, ["dateCreated"] = at, ["lastUpdated"] = at,
                });
            }
            for (var i = 0; i < spec.SharingTasks && apps.Count > 0; i++)
            {
                var app = apps[(i + 1) % apps.Count];
                var at = Http.Fmt(Tick());
                var sheetId = app.Document.Objects.Values.FirstOrDefault(o => o.QType == "sheet" && o.Published)?.Id;
                s.Resource(ResourceKinds.SharingTasks).Add(new JsonObject
                {
                    ["id"] = Hex(24), ["name"] = $"{app.Name} weekly report", ["description"] = "Seeded subscription", ["type"] = "template-sharing", ["subType"] = "sheet",
                    ["appId"] = app.Id, ["appName"] = app.Name, ["owner"] = app.OwnerId, ["createdBy"] = app.OwnerId, ["enabled"] = true, ["statusCode"] = "ok",
                    ["templates"] = new JsonArray(new JsonObject { ["type"] = "sense-sheet-1.0", ["sheetData"] = new JsonObject { ["appId"] = app.Id, ["sheetId"] = sheetId } }),
                    ["trigger"] = new JsonObject { ["recurrence"] = new JsonArray("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=7"), ["executeOnAppReload"] = false },
                    ["recipients"] = new JsonObject { ["userIds"] = new JsonArray(new JsonObject { ["value"] = app.OwnerId, ["enabled"] = true }) },
                    ["transportChannels"] = new JsonArray("email"), ["tenant"] = s.Tenant.Id, ["dateCreated"] = at, ["lastUpdated"] = at,
                });
            }
        }

        // ---- deterministic primitives ----

        private DateTimeOffset Tick() => _clock = _clock.AddMinutes(_rng.Next(5, 240));

        private string Hex(int length)
        {
            var bytes = new byte[(length + 1) / 2];
            _rng.NextBytes(bytes);
            return Convert.ToHexStringLower(bytes)[..length];
        }

        private string Guid()
        {
            var bytes = new byte[16];
            _rng.NextBytes(bytes);
            return new Guid(bytes).ToString();
        }

        private string QId()
        {
            const string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            return string.Create(8, _rng, (span, r) => { for (var i = 0; i < span.Length; i++) span[i] = chars[r.Next(chars.Length)]; });
        }

        private byte[] Bytes(int count)
        {
            var bytes = new byte[count];
            _rng.NextBytes(bytes);
            return bytes;
        }
    }
}
