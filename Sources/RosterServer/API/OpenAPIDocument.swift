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
        "summary": "The reconciler, recent runs, your teams, and the invitations you may see",
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
        "summary": "Your teams, with your role in each",
        "responses": {
          "200": {
            "description": "Your teams, by slug.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Team"
                  }
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
        "summary": "Pending invitations with their links, in the teams where you are admin",
        "responses": {
          "200": {
            "description": "The pending invitations (none pending: an empty array).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/PendingInvitation"
                  }
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
            "description": "A dotted action name: `invite.create`, `member.role.update`, …",
            "schema": {
              "type": "string"
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
          "teams"
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
            "maxItems": 20,
            "description": "The last 20 runs, newest first."
          },
          "teams": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Membership"
            },
            "description": "Your teams and your role in each, by slug."
          },
          "invitations": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/PendingInvitation"
            },
            "description": "Pending invitations in the teams where you may invite; absent when you may invite in none."
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
          "commit": {
            "type": "string",
            "description": "The first 12 hex digits of the commit; absent for a folder source."
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
            "description": "Why it was refused or failed."
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
      }
    }
  }
}

"""#
}
