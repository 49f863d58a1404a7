#include "timelinemodel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace lockscope {

QString timelineKindName(TimelineEvent::Kind kind)
{
    const char *context = "lockscope::TimelineModel";
    switch (kind) {
    case TimelineEvent::Appeared:
        return QCoreApplication::translate(context, "appeared");
    case TimelineEvent::Released:
        return QCoreApplication::translate(context, "released");
    case TimelineEvent::HolderExited:
        return QCoreApplication::translate(context, "holder exited");
    case TimelineEvent::Rewritten:
        return QCoreApplication::translate(context, "rewritten");
    case TimelineEvent::VerdictChanged:
        return QCoreApplication::translate(context, "verdict changed");
    case TimelineEvent::RemovedByYou:
        return QCoreApplication::translate(context, "removed by you");
    case TimelineEvent::Restored:
        return QCoreApplication::translate(context, "restored");
    case TimelineEvent::Note:
        return QCoreApplication::translate(context, "note");
    }
    return QString();
}

TimelineModel::TimelineModel(int limit, QObject *parent)
    : QAbstractTableModel(parent)
    , m_limit(qMax(1, limit))
{
}

void TimelineModel::add(const TimelineEvent &event)
{
    if (m_events.size() >= m_limit) {
        const int drop = int(m_events.size()) - m_limit + 1;
        beginRemoveRows({}, 0, drop - 1);
        m_events.remove(0, drop);
        endRemoveRows();
    }
    const int row = int(m_events.size());
    beginInsertRows({}, row, row);
    m_events.append(event);
    endInsertRows();
}

void TimelineModel::clear()
{
    if (m_events.isEmpty())
        return;
    beginRemoveRows({}, 0, int(m_events.size()) - 1);
    m_events.clear();
    endRemoveRows();
}

QString TimelineModel::toText() const
{
    QString text;
    for (const TimelineEvent &e : m_events) {
        text += QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODateWithMs) +
                QLatin1Char('\t') + timelineKindName(e.kind) + QLatin1Char('\t') + e.text +
                QLatin1Char('\t') + e.path + QLatin1Char('\n');
    }
    return text;
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TimelineEvent &e = m_events.at(index.row());
    if (role == Qt::ToolTipRole)
        return e.path;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(e.timeMs).time(),
                                  QStringLiteral("HH:mm:ss"));
    case KindColumn:
        return timelineKindName(e.kind);
    case WhatColumn:
        return e.text;
    case PathColumn:
        return e.path;
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case KindColumn:
        return tr("Event");
    case WhatColumn:
        return tr("What");
    case PathColumn:
        return tr("Path");
    default:
        return {};
    }
}

} // namespace lockscope
