import Mustache

// The page models name their fields for the templates here, so rendering looks a field up with a
// `switch` instead of reflecting the model (`Mirror`), which took most of a page's render time
// (a Mirror and a demangled field type per lookup). Each list must name every stored property:
// `TemplateLookupTests` checks them against `Mirror`.

extension CardModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": self.id
        case "name": self.name
        case "domain": self.domain
        case "composite": self.composite
        case "bandClass": self.bandClass
        case "bandLabel": self.bandLabel
        case "outreach": self.outreach
        case "dimensions": self.dimensions
        case "signals": self.signals
        case "eslDecision": self.eslDecision
        case "sensitivity": self.sensitivity
        case "lastSeen": self.lastSeen
        case "lastOutreach": self.lastOutreach
        case "scopeQuery": self.scopeQuery
        default: nil
        }
    }
}

extension CardModel.Chip: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": self.id
        case "label": self.label
        default: nil
        }
    }
}

extension BriefingModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "workspace": self.workspace
        case "pack": self.pack
        case "workspaceID": self.workspaceID
        case "packID": self.packID
        case "asOf": self.asOf
        case "threshold": self.threshold
        case "sortComposite": self.sortComposite
        case "sortLastSeen": self.sortLastSeen
        case "thresholdNote": self.thresholdNote
        case "cards": self.cards
        case "hasCards": self.hasCards
        case "emptyReason": self.emptyReason
        case "firstRank": self.firstRank
        case "page": self.page
        case "previousPage": self.previousPage
        case "nextPage": self.nextPage
        default: nil
        }
    }
}

extension CompanyModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": self.id
        case "name": self.name
        case "domain": self.domain
        case "website": self.website
        case "source": self.source
        case "status": self.status
        case "alignment": self.alignment
        case "profile": self.profile
        case "hasProfile": self.hasProfile
        case "bandClass": self.bandClass
        case "scores": self.scores
        case "noScores": self.noScores
        case "chart": self.chart
        case "events": self.events
        case "outreach": self.outreach
        case "timeline": self.timeline
        case "timelineNote": self.timelineNote
        case "scopeQuery": self.scopeQuery
        default: nil
        }
    }
}

extension CompanyModel.TopEvent: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "time": self.time
        case "points": self.points
        case "confidence": self.confidence
        case "source": self.source
        case "link": self.link
        default: nil
        }
    }
}

extension CompanyModel.Component: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "value": self.value
        default: nil
        }
    }
}

extension CompanyModel.Engagement: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "decision": self.decision
        case "reason": self.reason
        case "eslScore": self.eslScore
        case "engagementType": self.engagementType
        case "outreachScore": self.outreachScore
        case "sensitivity": self.sensitivity
        case "cadence": self.cadence
        case "tone": self.tone
        case "components": self.components
        case "stabilityCap": self.stabilityCap
        default: nil
        }
    }
}

extension CompanyModel.Scores: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "composite": self.composite
        case "bandLabel": self.bandLabel
        case "delta": self.delta
        case "asOf": self.asOf
        case "dimensions": self.dimensions
        case "engagement": self.engagement
        case "topEvents": self.topEvents
        case "suppressors": self.suppressors
        case "disqualifiers": self.disqualifiers
        case "amplification": self.amplification
        case "minimumThreshold": self.minimumThreshold
        default: nil
        }
    }
}

extension CompanyModel.Event: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "time": self.time
        case "type": self.type
        case "title": self.title
        case "link": self.link
        case "source": self.source
        case "confidence": self.confidence
        default: nil
        }
    }
}

extension CompanyModel.Outreach: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "sentAt": self.sentAt
        case "type": self.type
        case "outcome": self.outcome
        case "message": self.message
        default: nil
        }
    }
}

extension CompanyModel.TimelineRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "sequence": self.sequence
        case "at": self.at
        case "kind": self.kind
        case "detail": self.detail
        case "jobRun": self.jobRun
        default: nil
        }
    }
}

extension CompanyModel.ProfileField: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": self.label
        case "value": self.value
        case "link": self.link
        default: nil
        }
    }
}

extension RankedModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "workspace": self.workspace
        case "pack": self.pack
        case "workspaceID": self.workspaceID
        case "packID": self.packID
        case "asOf": self.asOf
        case "threshold": self.threshold
        case "limit": self.limit
        case "path": self.path
        case "companies": self.companies
        case "hasCompanies": self.hasCompanies
        default: nil
        }
    }
}

extension RankedModel.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "rank": self.rank
        case "id": self.id
        case "name": self.name
        case "domain": self.domain
        case "composite": self.composite
        case "bandClass": self.bandClass
        case "bandLabel": self.bandLabel
        case "outreach": self.outreach
        case "esl": self.esl
        case "dimensions": self.dimensions
        case "scopeQuery": self.scopeQuery
        default: nil
        }
    }
}

extension JobsModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "workspace": self.workspace
        case "shown": self.shown
        case "total": self.total
        case "runs": self.runs
        case "hasRuns": self.hasRuns
        default: nil
        }
    }
}

extension JobsModel.Run: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": self.id
        case "type": self.type
        case "status": self.status
        case "batchStatus": self.batchStatus
        case "batchDiffers": self.batchDiffers
        case "asOf": self.asOf
        case "started": self.started
        case "finished": self.finished
        case "companies": self.companies
        case "error": self.error
        case "children": self.children
        default: nil
        }
    }
}

extension QueueModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "workspace": self.workspace
        case "now": self.now
        case "source": self.source
        case "stages": self.stages
        case "hasStages": self.hasStages
        default: nil
        }
    }
}

extension QueueModel.Stage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "stage": self.stage
        case "pending": self.pending
        case "queued": self.queued
        case "started": self.started
        case "completed": self.completed
        case "failed": self.failed
        case "oldest": self.oldest
        case "waiting": self.waiting
        default: nil
        }
    }
}

extension ScoreChart: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "width": self.width
        case "height": self.height
        case "plotLeft": self.plotLeft
        case "plotRight": self.plotRight
        case "plotBottom": self.plotBottom
        case "series": self.series
        case "grid": self.grid
        case "days": self.days
        case "snapshotCount": self.snapshotCount
        case "firstDay": self.firstDay
        case "lastDay": self.lastDay
        default: nil
        }
    }
}

extension ScoreChart.Series: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "key": self.key
        case "label": self.label
        case "points": self.points
        case "dots": self.dots
        default: nil
        }
    }
}

extension ScoreChart.Dot: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "x": self.x
        case "y": self.y
        case "title": self.title
        default: nil
        }
    }
}

extension ScoreChart.GridLine: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "y": self.y
        case "label": self.label
        default: nil
        }
    }
}

extension ScoreChart.DayLabel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "x": self.x
        case "label": self.label
        case "anchor": self.anchor
        default: nil
        }
    }
}

extension DimensionBars: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "bars": self.bars
        default: nil
        }
    }
}

extension DimensionBars.Bar: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "letter": self.letter
        case "name": self.name
        case "value": self.value
        case "y": self.y
        case "textY": self.textY
        case "width": self.width
        default: nil
        }
    }
}

extension PageResponse.Layout: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": self.title
        case "pageName": self.pageName
        case "body": self.body
        case "stylesheet": self.stylesheet
        case "scopeQuery": self.scopeQuery
        case "signedIn": self.signedIn
        case "navBriefing": self.navBriefing
        case "navRanked": self.navRanked
        case "navJobs": self.navJobs
        case "navQueue": self.navQueue
        case "renderedAt": self.renderedAt
        default: nil
        }
    }
}

extension LoginPage.Model: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "message": self.message
        case "next": self.next
        default: nil
        }
    }
}
