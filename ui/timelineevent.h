#pragma once

#include <QString>
#include <QtGlobal>

namespace lockscope {

// Something observed while the window was open.
struct TimelineEvent
{
    enum Kind
    {
        Appeared,
        Released,
        HolderExited,
        Rewritten,
        VerdictChanged,
        RemovedByYou,
        Restored,
        Note
    };

    qint64 timeMs = 0;
    Kind kind = Note;
    QString path;
    QString text;
};

QString timelineKindName(TimelineEvent::Kind kind);

} // namespace lockscope
