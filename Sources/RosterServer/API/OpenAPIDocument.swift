/// The OpenAPI 3.1 document of the JSON API, served at `GET /api/v1/openapi.json`: the
/// text of docs/openapi.json, embedded so that the executable alone serves it (SwiftPM
/// resources cannot reach docs/, and the image and the CI workflow ship only the binary).
/// Generated: `OpenAPIDocumentTests` fails when it differs from docs/openapi.json, and
/// `ROSTER_RECORD=1 swift test --filter OpenAPIDocumentTests` writes it anew from there.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Roster JSON API",
    "version": "1",
    "description": "What `roster serve` shows people, as JSON. Every endpoint but this document needs `Authorization: Bearer <api key>` (`roster apikey create --email E`): 401 without a valid key, 403 when the key's person may not see what was asked. What each may see follows the permission matrix of their role in each team. Times are UTC, RFC 3339 with milliseconds."
  },
  "servers": [
    {
      "url": "/api/v1"
    }
  ],
  "security": [
    {
      "apiKey": []
    }
  ],
  "paths": {
    "/openapi.json": {
      "get": {
        "operationId": "openAPIDocument",
        "summary": "This document",
        "description": "Needs no key: clients and tools read it before they have one, and it holds nothing that is not in the README.",
        "security": [],
        "responses": {
          "200": {
            "description": "The OpenAPI document of this API (docs/openapi.json in Roster's repository).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "openapi",
                    "paths"
                  ]
                }
              }
            }
          }
        }
      }
    },
    "/status": {
      "get": {
        "operationId": "status",
        "summary": "The reconciler, recent runs, your first teams, and how many invitations you may see are pending",
        "responses": {
          "200": {
            "description": "The status.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          }
        }
      }
    },
    "/teams": {
      "get": {
        "operationId": "teams",
        "summary": "Your teams, with your role in each, a page at a time",
        "responses": {
          "200": {
            "description": "Your teams, by slug.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Team"
                  },
                  "maxItems": 1000
                }
              }
            },
            "headers": {
              "Link": {
                "description": "`</api/v1/teams?after=…&limit=…>; rel=\"next\"`: the next page. Absent on the last page.",
                "required": false,
                "schema": {
                  "type": "string",
                  "pattern": "^</api/v1/teams\\?[^>]*after=[^>]+>; rel=\"next\"$"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          }
        },
        "parameters": [
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "The last slug of the previous page (the `Link` header's next page carries it); the page holds the teams after it.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "How many teams a page holds, 1 to 1,000; absent, not a number or out of range: 500.",
            "schema": {
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 1000
                },
                {
                  "type": "string"
                }
              ],
              "default": 500
            }
          }
        ]
      }
    },
    "/teams/{team}": {
      "get": {
        "operationId": "team",
        "summary": "One team as your role in it may see it, to the team's members",
        "description": "Members to every member; pending invitations with their links where your role may invite members; the spend limit and ceiling where it may view billing; recent audit entries where it may read the audit log.",
        "parameters": [
          {
            "name": "team",
            "in": "path",
            "required": true,
            "description": "The team's slug.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "The last email of the previous page of members (`membersNext`); the page holds the members after it.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The team.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TeamDetail"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "description": "You are not a member of the team, or there is no such team (the same answer, so team names cannot be probed).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/teams/{team}/members": {
      "get": {
        "operationId": "teamMembers",
        "summary": "A team's members and their roles, to the team's members",
        "parameters": [
          {
            "name": "team",
            "in": "path",
            "required": true,
            "description": "The team's slug.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The members, by email.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Member"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "description": "You are not a member of the team, or there is no such team (the same answer, so team names cannot be probed).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/invitations": {
      "get": {
        "operationId": "invitations",
        "summary": "Pending invitations with their links, in the teams where you are admin, a page at a time",
        "responses": {
          "200": {
            "description": "The pending invitations by team, then email (none pending: an empty array).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/PendingInvitation"
                  },
                  "maxItems": 1000
                }
              }
            },
            "headers": {
              "Link": {
                "description": "The next page, when more invitations follow: `</api/v1/invitations?after=<team>/<email>&limit=N>; rel=\"next\"`.",
                "required": false,
                "schema": {
                  "type": "string",
                  "pattern": "^</api/v1/invitations\\?[^>]*after=[^>]+>; rel=\"next\"$"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "description": "You are admin in no team.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "`<team>/<email>` of the previous page's last invitation (the `Link` header's next page carries it); the page holds the invitations after it by team, then email. Without a slash: the first page.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "How many invitations a page holds, 1 to 1,000; absent, not a number or out of range: 500.",
            "schema": {
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 1000
                },
                {
                  "type": "string"
                }
              ],
              "default": 500
            }
          }
        ]
      }
    },
    "/runs": {
      "get": {
        "operationId": "runs",
        "summary": "The run history, newest first, a page at a time",
        "description": "Every key holder sees every run (runs name no team); each run's reason only as far as your roles let you read it.",
        "parameters": [
          {
            "name": "result",
            "in": "query",
            "required": false,
            "description": "Only the runs with this result; empty: all.",
            "schema": {
              "type": "string",
              "enum": [
                "applied",
                "no-changes",
                "refused",
                "failed",
                ""
              ]
            }
          },
          {
            "name": "before",
            "in": "query",
            "required": false,
            "description": "The previous page's `next`: the page holds the runs older than that run. An id of no run: an empty page. Empty: the newest.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "How many runs a page holds, 1 to 200; absent, not a number or out of range: 50.",
            "schema": {
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 200
                },
                {
                  "type": "string"
                }
              ],
              "default": 50
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of runs.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RunPage"
                }
              }
            }
          },
          "400": {
            "description": "`result` is not one of applied, no-changes, refused, failed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          }
        }
      }
    },
    "/runs/{id}": {
      "get": {
        "operationId": "run",
        "summary": "One run, with the changes it applied in the teams whose audit log you may read",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The run's id.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The run.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RunDetail"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "description": "There is no run with that id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/audit": {
      "get": {
        "operationId": "audit",
        "summary": "Audit entries, as `roster audit --format json`, in the teams where you are admin",
        "description": "The command line's filters as query parameters. An empty parameter counts as absent (the audit page's form sends them all), and so does one given only as spaces.",
        "parameters": [
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "Entries at or after this time: RFC 3339, or a date (midnight UTC).",
            "schema": {
              "anyOf": [
                {
                  "type": "string",
                  "format": "date-time"
                },
                {
                  "type": "string",
                  "format": "date"
                },
                {
                  "type": "string",
                  "const": ""
                }
              ]
            }
          },
          {
            "name": "until",
            "in": "query",
            "required": false,
            "description": "Entries before this time: RFC 3339, or a date (midnight UTC).",
            "schema": {
              "anyOf": [
                {
                  "type": "string",
                  "format": "date-time"
                },
                {
                  "type": "string",
                  "format": "date"
                },
                {
                  "type": "string",
                  "const": ""
                }
              ]
            }
          },
          {
            "name": "user",
            "in": "query",
            "required": false,
            "description": "The actor or the commit author the entry was made on behalf of, case-insensitively.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "resourceType",
            "in": "query",
            "required": false,
            "description": "What the entry changed.",
            "schema": {
              "type": "string",
              "enum": [
                "team",
                "member",
                "invite",
                ""
              ]
            }
          },
          {
            "name": "resourceId",
            "in": "query",
            "required": false,
            "description": "The team's slug, or `<team>/<email>` for members and invitations.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "action",
            "in": "query",
            "required": false,
            "description": "One audit action (400 naming them for another).",
            "schema": {
              "anyOf": [
                {
                  "type": "string",
                  "enum": [
                    "team.create",
                    "team.display_name.update",
                    "team.spend_limit.update",
                    "member.role.update",
                    "team.owner.update",
                    "invite.create",
                    "invite.update",
                    "invite.revoke",
                    "invite.renew",
                    "member.remove",
                    "team.delete",
                    "invite.accept",
                    "team.spend_limit_ceiling.update",
                    "apikey.create",
                    "apikey.revoke"
                  ]
                },
                {
                  "type": "string",
                  "const": ""
                }
              ]
            }
          },
          {
            "name": "team",
            "in": "query",
            "required": false,
            "description": "One team's entries; you must be admin in it.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "The newest this many entries.",
            "schema": {
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 10000
                },
                {
                  "type": "string",
                  "const": ""
                }
              ],
              "default": 100
            }
          },
          {
            "name": "run",
            "in": "query",
            "required": false,
            "description": "Only the entries of this run (the id `apply`, `reconcile` and the runs pages show).",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "before",
            "in": "query",
            "required": false,
            "description": "Only entries before this sequence number: the page of older entries (the first `seq` of the page shown).",
            "schema": {
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 1
                },
                {
                  "type": "string",
                  "const": ""
                }
              ]
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The entries, oldest first.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/AuditEntry"
                  }
                }
              }
            }
          },
          "400": {
            "description": "A filter is malformed (the message says which, and what it takes).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "description": "You are admin in no team, or not in the team asked for.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `roster apikey create --email E`: roster_<id>_<secret>."
      }
    },
    "responses": {
      "Unauthorized": {
        "description": "No key, or a key that is unknown, malformed or revoked.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        },
        "headers": {
          "WWW-Authenticate": {
            "description": "Bearer realm=\"roster\"",
            "required": true,
            "schema": {
              "type": "string",
              "const": "Bearer realm=\"roster\""
            }
          }
        }
      },
      "Forbidden": {
        "description": "Your role may not see this.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "string",
            "description": "What went wrong, for people."
          }
        }
      },
      "Status": {
        "type": "object",
        "required": [
          "instance",
          "isLeader",
          "stateVersion",
          "runs",
          "teams",
          "teamsTotal"
        ],
        "properties": {
          "instance": {
            "type": "string",
            "description": "This server process's name in the lease."
          },
          "leaseHolder": {
            "type": "string",
            "description": "The instance holding the reconciler's lease; absent when none does."
          },
          "isLeader": {
            "type": "boolean",
            "description": "Whether this instance holds the lease."
          },
          "lastSuccess": {
            "type": "string",
            "format": "date-time",
            "description": "When a run last applied or found nothing to do; absent before the first."
          },
          "nextRun": {
            "type": "string",
            "format": "date-time",
            "description": "When this instance plans its next run; absent when none is scheduled."
          },
          "drift": {
            "type": "integer",
            "minimum": 0,
            "description": "Changes the last run found that only undo drift; absent when unknown."
          },
          "stateVersion": {
            "type": "integer",
            "minimum": 0,
            "description": "The store's state version, raised by every apply."
          },
          "runs": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Run"
            },
            "maxItems": 10,
            "description": "The last 10 runs, newest first (all of them: `GET /runs`)."
          },
          "teams": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Membership"
            },
            "maxItems": 20,
            "description": "Your first 20 teams by slug and your role in each (all of them: `GET /teams`)."
          },
          "teamsTotal": {
            "type": "integer",
            "minimum": 0,
            "description": "How many teams you are in."
          },
          "pendingInvitations": {
            "type": "integer",
            "minimum": 0,
            "description": "How many invitations are pending in the teams where you may invite (the invitations: `GET /invitations`); absent when you may invite in none. Counted up to 10000: that number means 10000 or more."
          },
          "driftRun": {
            "type": "string",
            "description": "The run that found the drift (when there is some): its page lists each drifted change."
          }
        }
      },
      "Run": {
        "type": "object",
        "required": [
          "id",
          "trigger",
          "startedAt",
          "finishedAt",
          "repeats",
          "result",
          "changes"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "trigger": {
            "type": "string",
            "description": "What started the run (the interval, a webhook, the command line, …)."
          },
          "startedAt": {
            "type": "string",
            "format": "date-time",
            "description": "UTC, RFC 3339 with milliseconds: 2026-11-23T13:45:07.123Z."
          },
          "finishedAt": {
            "type": "string",
            "format": "date-time",
            "description": "UTC, RFC 3339 with milliseconds: 2026-11-23T13:45:07.123Z."
          },
          "repeats": {
            "type": "integer",
            "minimum": 1,
            "description": "How many runs this record stands for: repeated runs that found nothing to do are kept as one record."
          },
          "lastSeenAt": {
            "type": "string",
            "format": "date-time",
            "description": "When the last of the repeats finished; present only when `repeats` is more than 1."
          },
          "commit": {
            "type": "string",
            "description": "The commit's full hash; absent for a folder source."
          },
          "commitURL": {
            "type": "string",
            "description": "The commit on the repository's web host; present only when the server is configured with a repository web URL and the run has a commit."
          },
          "author": {
            "type": "string",
            "description": "The commit's author."
          },
          "result": {
            "type": "string",
            "enum": [
              "applied",
              "no-changes",
              "refused",
              "failed"
            ]
          },
          "changes": {
            "type": "integer",
            "minimum": 0
          },
          "message": {
            "type": "string",
            "description": "Why it was refused or failed, as much of it as you may read."
          },
          "reason": {
            "$ref": "#/components/schemas/RunReason"
          },
          "drift": {
            "$ref": "#/components/schemas/RunDrift"
          }
        }
      },
      "Membership": {
        "type": "object",
        "required": [
          "team",
          "role"
        ],
        "properties": {
          "team": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "basic",
              "billing",
              "dev",
              "admin"
            ],
            "description": "A role in a team, from least to most privileged."
          }
        }
      },
      "Team": {
        "type": "object",
        "required": [
          "slug",
          "displayName",
          "owner",
          "role",
          "members",
          "pendingInvitations"
        ],
        "properties": {
          "slug": {
            "type": "string"
          },
          "displayName": {
            "type": "string"
          },
          "owner": {
            "type": "string",
            "description": "The owner's email."
          },
          "role": {
            "type": "string",
            "enum": [
              "basic",
              "billing",
              "dev",
              "admin"
            ],
            "description": "Your role in the team."
          },
          "members": {
            "type": "integer",
            "minimum": 0
          },
          "pendingInvitations": {
            "type": "integer",
            "minimum": 0
          },
          "spendLimit": {
            "type": "string",
            "pattern": "^[0-9]+\\.[0-9]{2}$",
            "description": "Dollars per hour, two decimals; only where your role may view billing (billing, admin)."
          }
        }
      },
      "Member": {
        "type": "object",
        "required": [
          "email",
          "role"
        ],
        "properties": {
          "email": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "basic",
              "billing",
              "dev",
              "admin"
            ],
            "description": "A role in a team, from least to most privileged."
          },
          "expires": {
            "type": "string",
            "format": "date-time",
            "description": "When a temporary member's access ends (the manifest's `expires`, UTC); absent for a permanent member."
          },
          "expiresIn": {
            "type": "string",
            "description": "The same as words: \"expires in 3 days\"."
          }
        }
      },
      "PendingInvitation": {
        "type": "object",
        "required": [
          "team",
          "email",
          "role",
          "createdAt",
          "age",
          "expired",
          "link"
        ],
        "properties": {
          "team": {
            "type": "string"
          },
          "email": {
            "type": "string"
          },
          "role": {
            "type": "string",
            "enum": [
              "basic",
              "billing",
              "dev",
              "admin"
            ],
            "description": "A role in a team, from least to most privileged."
          },
          "createdAt": {
            "type": "string",
            "format": "date-time",
            "description": "UTC, RFC 3339 with milliseconds: 2026-11-23T13:45:07.123Z."
          },
          "age": {
            "type": "string",
            "description": "How long since it was made: 3d, 5h, 12m, 40s."
          },
          "expiresAt": {
            "type": "string",
            "format": "date-time",
            "description": "When the link stops working (spec.invitations.expireAfter); absent when it works until used or revoked."
          },
          "expired": {
            "type": "boolean",
            "description": "Whether the link has expired: it answers as a revoked one does until the next reconcile renews or revokes it."
          },
          "expiresIn": {
            "type": "string",
            "description": "\"expires in 3 days\" or \"expired\"; absent when it does not expire."
          },
          "link": {
            "type": "string",
            "format": "uri",
            "description": "The invitation page under the server's base URL."
          }
        }
      },
      "AuditEntry": {
        "type": "object",
        "required": [
          "seq",
          "time",
          "actor",
          "onBehalfOf",
          "action",
          "resourceType",
          "resourceId",
          "team",
          "before",
          "after",
          "commit",
          "runId",
          "prevHash",
          "hash"
        ],
        "properties": {
          "seq": {
            "type": "integer",
            "minimum": 1
          },
          "time": {
            "type": "string",
            "format": "date-time",
            "description": "UTC, RFC 3339 with milliseconds: 2026-11-23T13:45:07.123Z."
          },
          "actor": {
            "type": "string",
            "description": "The reconciler's identity or a person's email."
          },
          "onBehalfOf": {
            "type": [
              "string",
              "null"
            ],
            "description": "For changes from git: the commit's author."
          },
          "action": {
            "type": "string",
            "description": "Dotted: invite.create, member.role.update, …"
          },
          "resourceType": {
            "type": "string",
            "enum": [
              "team",
              "member",
              "invite"
            ]
          },
          "resourceId": {
            "type": "string",
            "description": "The slug for teams, <team>/<email> for members and invitations."
          },
          "team": {
            "type": [
              "string",
              "null"
            ]
          },
          "before": {
            "description": "The value before, as JSON (\"dev\", 80, {…}); null for none."
          },
          "after": {
            "description": "The value after, as JSON; null for none."
          },
          "commit": {
            "type": [
              "string",
              "null"
            ]
          },
          "runId": {
            "type": [
              "string",
              "null"
            ]
          },
          "prevHash": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "The previous entry's hash; 64 zeros for the first."
          },
          "hash": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$"
          }
        }
      },
      "RunReason": {
        "type": "object",
        "description": "A refused or failed run's reason, in the parts you may read.",
        "required": [
          "kind",
          "details",
          "hidden"
        ],
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "source-unreadable",
              "invalid-manifests",
              "removal-limit",
              "no-baseline",
              "store-refused",
              "store-failed"
            ]
          },
          "details": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "The parts you may read."
          },
          "hidden": {
            "type": "integer",
            "minimum": 0,
            "description": "How many parts were left out: they concern teams or settings your roles may not see, or only the operators."
          }
        }
      },
      "RunPage": {
        "type": "object",
        "required": [
          "runs",
          "total"
        ],
        "properties": {
          "runs": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Run"
            },
            "maxItems": 200,
            "description": "Newest first."
          },
          "total": {
            "type": "integer",
            "minimum": 0,
            "description": "How many records match `result`, on every page."
          },
          "next": {
            "type": "string",
            "description": "Pass as `before` for the next (older) page; absent on the last."
          },
          "result": {
            "type": "string",
            "enum": [
              "applied",
              "no-changes",
              "refused",
              "failed"
            ],
            "description": "The filter; absent for none."
          }
        }
      },
      "RunDetail": {
        "type": "object",
        "required": [
          "run",
          "changes",
          "notShown"
        ],
        "properties": {
          "run": {
            "$ref": "#/components/schemas/Run"
          },
          "changes": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/AuditChange"
            },
            "maxItems": 200,
            "description": "The run's changes in the teams whose audit log you may read, oldest first, at most 200."
          },
          "notShown": {
            "type": "integer",
            "minimum": 0,
            "description": "The run's other changes: in teams whose audit log you may not read, or beyond the first 200."
          }
        }
      },
      "TeamDetail": {
        "type": "object",
        "required": [
          "slug",
          "displayName",
          "owner",
          "role",
          "membersTotal",
          "members",
          "permissions",
          "newMemberYAML"
        ],
        "properties": {
          "slug": {
            "type": "string"
          },
          "displayName": {
            "type": "string"
          },
          "owner": {
            "type": "string",
            "description": "The owner's email."
          },
          "role": {
            "type": "string",
            "enum": [
              "basic",
              "billing",
              "dev",
              "admin"
            ],
            "description": "Your role in the team."
          },
          "membersTotal": {
            "type": "integer",
            "minimum": 0
          },
          "members": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Member"
            },
            "maxItems": 200,
            "description": "A page of members by email, at most 200."
          },
          "membersNext": {
            "type": "string",
            "description": "Pass as `after` for the next page of members; absent on the last."
          },
          "pendingInvitations": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/PendingInvitation"
            },
            "description": "The team's pending invitations with their links, by email; only where your role may invite members (admin)."
          },
          "spendLimit": {
            "type": "string",
            "pattern": "^[0-9]+\\.[0-9]{2}$",
            "description": "Dollars per hour, two decimals; only where your role may view billing (billing, admin)."
          },
          "ceiling": {
            "type": "string",
            "pattern": "^[0-9]+\\.[0-9]{2}$",
            "description": "The approved spend-limit ceiling, dollars per hour; only where your role may view billing."
          },
          "permissions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Capability"
            },
            "description": "Your role's column of the permission matrix, every row."
          },
          "recentAudit": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/AuditChange"
            },
            "maxItems": 20,
            "description": "The team's newest 20 audit entries, newest first; only where your role may read the audit log (admin)."
          },
          "declaredIn": {
            "$ref": "#/components/schemas/Declaration"
          },
          "newMemberYAML": {
            "type": "string",
            "description": "The YAML to add a member to the team's manifest (changes go through git)."
          }
        }
      },
      "Capability": {
        "type": "object",
        "required": [
          "permission",
          "title",
          "allowed"
        ],
        "properties": {
          "permission": {
            "type": "string",
            "enum": [
              "accessTeamAccount",
              "connectToPods",
              "managePods",
              "manageServerlessEndpoints",
              "sendServerlessRequests",
              "connectToInstantClusters",
              "manageInstantClusters",
              "manageNetworkVolumes",
              "viewBilling",
              "managePaymentMethods",
              "inviteMembers",
              "manageTeamPermissions",
              "modifyTeamSettings",
              "accessAuditLogs"
            ]
          },
          "title": {
            "type": "string",
            "description": "The permission in words: Access audit logs, …"
          },
          "allowed": {
            "type": "boolean",
            "description": "Whether your role in the team has it."
          }
        }
      },
      "Declaration": {
        "type": "object",
        "description": "Where git declares the team, at the commit this server last read; absent when unknown.",
        "required": [
          "file",
          "line"
        ],
        "properties": {
          "file": {
            "type": "string",
            "description": "The manifest's path in the repository."
          },
          "line": {
            "type": "integer",
            "minimum": 1
          },
          "commit": {
            "type": "string",
            "description": "The commit read; absent for a folder source."
          },
          "url": {
            "type": "string",
            "description": "The line on the repository's web host; present only with a commit and a configured repository web URL."
          }
        }
      },
      "AuditChange": {
        "type": "object",
        "description": "An audit entry as people read it (`change`), with the stored values.",
        "required": [
          "seq",
          "time",
          "actor",
          "action",
          "resourceType",
          "resourceID",
          "change"
        ],
        "properties": {
          "seq": {
            "type": "integer",
            "minimum": 1
          },
          "time": {
            "type": "string",
            "format": "date-time",
            "description": "UTC, RFC 3339 with milliseconds: 2026-11-23T13:45:07.123Z."
          },
          "actor": {
            "type": "string",
            "description": "The reconciler's identity or a person's email."
          },
          "onBehalfOf": {
            "type": "string",
            "description": "For changes from git: the commit's author."
          },
          "action": {
            "type": "string",
            "description": "Dotted: invite.create, member.role.update, …"
          },
          "resourceType": {
            "type": "string",
            "enum": [
              "team",
              "member",
              "invite"
            ]
          },
          "resourceID": {
            "type": "string",
            "description": "The slug for teams, <team>/<email> for members and invitations."
          },
          "team": {
            "type": "string"
          },
          "change": {
            "type": "string",
            "description": "The change in words: `role: dev → admin`, `spend limit: $80.00/h → $120.00/h`, …"
          },
          "before": {
            "type": "string",
            "description": "The value before, as JSON text (`\"dev\"`, `80`, `{…}`); absent for none."
          },
          "after": {
            "type": "string",
            "description": "The value after, as JSON text; absent for none."
          },
          "commit": {
            "type": "string"
          },
          "commitURL": {
            "type": "string",
            "description": "The commit on the repository's web host, when one is configured."
          },
          "runID": {
            "type": "string",
            "description": "The run that made the change."
          }
        }
      },
      "RunDriftItem": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "team",
          "action",
          "subject"
        ],
        "properties": {
          "team": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "description": "The change that undoes it, such as member.role.update."
          },
          "subject": {
            "type": "string"
          },
          "store": {
            "type": "string",
            "description": "What the store held."
          },
          "git": {
            "type": "string",
            "description": "What git declares."
          }
        }
      },
      "RunDrift": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "count",
          "items",
          "notShown"
        ],
        "description": "Changes made outside git that the run found, those your role may see.",
        "properties": {
          "count": {
            "type": "integer",
            "minimum": 0
          },
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RunDriftItem"
            }
          },
          "notShown": {
            "type": "integer",
            "minimum": 0,
            "description": "Drifted changes in teams or settings you may not see, or past the first 100."
          }
        }
      }
    }
  }
}

"""#
}
