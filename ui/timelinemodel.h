#pragma once

#include "timelineevent.h"

#include <QAbstractTableModel>
#include <QVector>

namespace lockscope {

// What was observed while the window was open, newest last. Bounded: the
// oldest events fall off once the limit is reached.
class TimelineModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineModel)

public:
    enum Column
    {
        TimeColumn,
        KindColumn,
        WhatColumn,
        PathColumn,
        ColumnCount
    };

    explicit TimelineModel(int limit = 1000, QObject *parent = nullptr);

    void add(const lockscope::TimelineEvent &event);
    void clear();
    int limit() const { return m_limit; }
    const TimelineEvent &eventAt(int row) const { return m_events.at(row); }
    // Tab-separated text, one event a line, with ISO times: for "Export…".
    QString toText() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    int m_limit;
    QVector<TimelineEvent> m_events;
};

} // namespace lockscope
